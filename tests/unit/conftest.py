"""The unit tier starts no processes: every way to spawn one fails the test that tries.

A unit test serves what it talks to in its own process (Sanic apps through
tests.in_process, HTTP fakes through pytest-httpserver). A test that truly needs a
child process (a real engine, a server's command line, the stack) is an integration
test and lives in tests/integration.

The guard wraps each phase of every test under tests/unit, so session fixtures that
such a test sets up are held to it too (an autouse fixture would come too late).
"""

from __future__ import annotations

import _posixsubprocess
import asyncio
import asyncio.subprocess
import os
import platform
import subprocess
from collections.abc import Callable, Iterator
from typing import NoReturn

import pytest

# Libraries (Sanic's banner, TensorFlow) ask platform for the processor, which runs
# `uname -p` once per process: answer it here, before any test, so whether a test
# "spawns" never depends on which test happened to ask first.
platform.processor()

WHY = "unit tests start no processes (move it to tests/integration or serve it in process)"


class ProcessSpawned(AssertionError):
    """A unit test tried to start a child process."""


def _refuse(what: str) -> Callable[..., NoReturn]:
    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise ProcessSpawned(f"{WHY}: {what} {args[:2]!r}")

    return refuse


def _refuse_popen(popen: subprocess.Popen, args: object, *rest: object, **kwargs: object) -> None:
    raise ProcessSpawned(f"{WHY}: {args!r}")


def _patched() -> pytest.MonkeyPatch:
    """subprocess, asyncio's subprocesses (whatever the loop), multiprocessing, os spawns."""
    patch = pytest.MonkeyPatch()
    patch.setattr(subprocess.Popen, "_execute_child", _refuse_popen)
    patch.setattr(_posixsubprocess, "fork_exec", _refuse("fork_exec"))
    for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system"):
        patch.setattr(os, name, _refuse(f"os.{name}"))
    for module in (asyncio, asyncio.subprocess):
        for name in ("create_subprocess_exec", "create_subprocess_shell"):
            patch.setattr(module, name, _refuse(f"asyncio.{name}"))
    return patch


def _refusing_processes(item: pytest.Item) -> Iterator[None]:
    """One phase of a test (its setup, then its body) with every way to spawn refused."""
    patch = _patched()
    try:
        yield
    finally:
        patch.undo()


pytest_runtest_setup = pytest.hookimpl(hookwrapper=True)(_refusing_processes)
pytest_runtest_call = pytest.hookimpl(hookwrapper=True)(_refusing_processes)
