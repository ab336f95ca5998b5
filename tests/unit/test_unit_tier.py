"""The unit tier's guard refuses every way of starting a child process."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import subprocess
import sys

import pytest

from tests.unit.conftest import ProcessSpawned


def test_subprocess_run_is_refused() -> None:
    with pytest.raises(ProcessSpawned, match="unit tests start no processes"):
        subprocess.run([sys.executable, "-c", "pass"], check=False)


async def test_asyncio_subprocess_is_refused() -> None:
    with pytest.raises(ProcessSpawned):
        await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")


def test_os_level_spawns_are_refused() -> None:
    with pytest.raises(ProcessSpawned):
        os.system("true")
    with pytest.raises(ProcessSpawned):
        os.fork()


def test_multiprocessing_is_refused() -> None:
    process = multiprocessing.get_context("spawn").Process(target=print)
    with pytest.raises(ProcessSpawned):
        process.start()


@pytest.fixture(scope="session")
def spawn_from_a_session_fixture() -> ProcessSpawned | None:
    try:
        subprocess.run([sys.executable, "-c", "pass"], check=False)
    except ProcessSpawned as refused:
        return refused
    return None


def test_session_fixtures_of_unit_tests_are_held_to_it_too(
    spawn_from_a_session_fixture: ProcessSpawned | None,
) -> None:
    assert isinstance(spawn_from_a_session_fixture, ProcessSpawned)
