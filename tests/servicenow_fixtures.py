"""Pytest fixtures that run the ServiceNow emulator as a real subprocess.

``servicenow_emulator`` gives each test a freshly reset emulator (seed data,
no fault) on a free loopback port, backed by a temporary SQLite file. One
process serves the whole session; ``start_emulator()`` starts a private one
for tests that stop and restart it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulators.admin_client import ServiceNowAdmin
from settings import ServiceNowSettings
from stack.processes import Service, free_port, python_module

USER = "admin"
PASSWORD = "admin"
TIMEOUT_SECONDS = 2.0


class RunningEmulator(ServiceNowAdmin):
    """A started emulator: its admin client, and settings that point the client at it."""

    def __init__(self, service: Service, port: int, db_path: Path) -> None:
        super().__init__(f"http://127.0.0.1:{port}")
        self.service = service
        self.port = port
        self.db_path = db_path

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def settings(self) -> ServiceNowSettings:
        return ServiceNowSettings(
            host=self.host,
            instance=None,
            user=USER,
            password=PASSWORD,
            use_ssl=False,
            timeout_seconds=TIMEOUT_SECONDS,
        )

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """A raw Table API request as admin, e.g. ``api("GET", "/table/incident")``."""
        kwargs.setdefault("auth", (USER, PASSWORD))
        kwargs.setdefault("timeout", 10)
        return requests.request(method, f"{self.base_url}/api/now{path}", **kwargs)

    def start(self) -> RunningEmulator:
        self.service.start().wait_healthy(timeout=20)
        return self

    def stop(self) -> None:
        self.service.stop()


def start_emulator(
    db_path: Path, log_path: Path, env: dict[str, str] | None = None
) -> RunningEmulator:
    """Start an emulator process on a free port over ``db_path`` and wait until healthy."""
    port = free_port()
    command = python_module("emulators.servicenow", "--port", str(port), "--db", str(db_path))
    service = Service(
        name="servicenow-emulator",
        command=command,
        health_url=f"http://127.0.0.1:{port}/_emulator/health",
        log_path=log_path,
        env={
            "SNOW_EMULATOR_FAULT": "",
            "SNOW_EMULATOR_USER": USER,
            "SNOW_EMULATOR_PASSWORD": PASSWORD,
            **(env or {}),
        },
    )
    return RunningEmulator(service, port, db_path).start()


@pytest.fixture(scope="session")
def servicenow_emulator_process(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningEmulator]:
    """One emulator process for the whole test session."""
    directory = tmp_path_factory.mktemp("servicenow")
    emulator = start_emulator(directory / "servicenow.sqlite3", directory / "emulator.log")
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def servicenow_emulator(servicenow_emulator_process: RunningEmulator) -> Iterator[RunningEmulator]:
    """The session's emulator, reset to seed data with no fault, for one test."""
    servicenow_emulator_process.reset()
    yield servicenow_emulator_process
    servicenow_emulator_process.reset()


# -- helpers for tests that read and write through the Table API ----------------

HEX32 = re.compile(r"^[0-9a-f]{32}$")
ABEL = "abel.tuter@example.com"


def users(emulator: RunningEmulator, query: str, **params: str) -> list[str]:
    reply = emulator.api(
        "GET",
        "/table/sys_user",
        params={"sysparm_query": query, "sysparm_fields": "user_name", **params},
    )
    assert reply.status_code == 200, reply.text
    return [r["user_name"] for r in reply.json()["result"]]


def incidents(emulator: RunningEmulator, query: str, **params: str) -> list[str]:
    reply = emulator.api(
        "GET",
        "/table/incident",
        params={"sysparm_query": query, "sysparm_fields": "number", **params},
    )
    assert reply.status_code == 200, reply.text
    return [r["number"] for r in reply.json()["result"]]


def create(emulator: RunningEmulator, payload: dict, **params: str) -> requests.Response:
    return emulator.api("POST", "/table/incident", json=payload, params=params)
