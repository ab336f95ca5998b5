"""Pytest fixtures that serve the ServiceNow emulator from the test process.

``servicenow_emulator`` gives each test a freshly reset emulator (seed data,
no fault) on a free loopback port, its SQLite database in memory. One
server (tests.in_process) serves the whole session; ``start_emulator()`` starts
a private one for tests that stop and restart it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulators.admin_client import ServiceNowAdmin
from emulators.common import Fault
from emulators.servicenow.app import create_app
from settings import ServiceNowSettings
from tests.in_process import InProcessServer

USER = "admin"
PASSWORD = "admin"
TIMEOUT_SECONDS = 2.0


class RunningEmulator(ServiceNowAdmin):
    """A started emulator: its admin client, and settings that point the client at it."""

    def __init__(self, server: InProcessServer, db_path: Path) -> None:
        super().__init__(server.base_url)
        self.server = server
        self.db_path = db_path

    @property
    def port(self) -> int:
        return self.server.port

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

    def stop(self) -> None:
        self.server.stop()


def start_emulator(db_path: Path, fault: Fault | None = None) -> RunningEmulator:
    """Serve an emulator over ``db_path`` on a free port, ``fault`` active from the start."""
    app = create_app(db_path, user=USER, password=PASSWORD, fault=fault)
    return RunningEmulator(InProcessServer(app).start(), db_path)


@pytest.fixture(scope="session")
def servicenow_emulator_session() -> Iterator[RunningEmulator]:
    """One emulator for the whole test session, its database in memory (a reset per test
    rewrites the seed data, and on disk every row would be a flushed commit)."""
    emulator = start_emulator(Path(":memory:"))
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def servicenow_emulator(servicenow_emulator_session: RunningEmulator) -> Iterator[RunningEmulator]:
    """The session's emulator, reset to seed data with no fault, for one test."""
    servicenow_emulator_session.reset()
    yield servicenow_emulator_session
    servicenow_emulator_session.reset()


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
