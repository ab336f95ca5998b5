"""The ServiceNow emulator's bad days on demand, and its data across restarts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from emulators.common import Fault
from tests.servicenow_fixtures import RunningEmulator, create, incidents, start_emulator


def test_slow_fault_delays_then_answers(servicenow_emulator):
    servicenow_emulator.set_fault("slow", delay_seconds=0.4, count=1)
    started = time.monotonic()
    reply = servicenow_emulator.api("GET", "/table/incident", params={"sysparm_limit": "1"})
    assert time.monotonic() - started >= 0.4  # a lower bound: a busy machine only adds to it
    assert reply.status_code == 200


def test_rate_limit_fault_answers_429_with_headers(servicenow_emulator):
    servicenow_emulator.set_fault("rate_limit", retry_after_seconds=7)
    reply = servicenow_emulator.api("GET", "/table/incident")
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "7"
    assert reply.json() == {
        "error": {
            "message": "Rate limit exceeded",
            "detail": "Rate limit of 100 requests per hour for Table API exceeded",
        },
        "status": "failure",
    }


def test_server_error_fault_answers_500_envelope(servicenow_emulator):
    servicenow_emulator.set_fault("server_error", count=2)
    for _ in range(2):
        reply = servicenow_emulator.api("GET", "/table/incident")
        assert reply.status_code == 500
        assert reply.json()["status"] == "failure"
    assert servicenow_emulator.api("GET", "/table/incident").status_code == 200


def test_hibernating_fault_serves_html_page(servicenow_emulator):
    servicenow_emulator.set_fault("hibernating")
    reply = servicenow_emulator.api("GET", "/table/incident")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "Your instance is hibernating" in reply.text
    health = requests.get(f"{servicenow_emulator.base_url}/_emulator/health", timeout=5)
    assert health.status_code == 200


def test_unknown_fault_mode_is_400(servicenow_emulator):
    reply = requests.post(
        f"{servicenow_emulator.base_url}/_emulator/faults", json={"mode": "meltdown"}, timeout=5
    )
    assert reply.status_code == 400


def test_reset_wipes_data_and_clears_fault(servicenow_emulator):
    create(servicenow_emulator, {"short_description": "temporary"})
    servicenow_emulator.set_fault("server_error")
    servicenow_emulator.reset()
    assert incidents(servicenow_emulator, "short_description=temporary") == []
    assert create(servicenow_emulator, {}).json()["result"]["number"] == "INC0010001"


# -- persistence and start-up (SNOW_EMULATOR_FAULT on the command line: tests/integration) --


@pytest.fixture
def start_servicenow_emulator() -> Iterator[Callable[..., RunningEmulator]]:
    """Start private emulators (stopped after the test), for restarts and start-up options."""
    started: list[RunningEmulator] = []

    def start(db_path: Path, fault: Fault | None = None) -> RunningEmulator:
        started.append(start_emulator(db_path, fault))
        return started[-1]

    yield start
    for emulator in started:
        emulator.stop()


def test_data_survives_restart_on_the_same_db(tmp_path, start_servicenow_emulator):
    emulator = start_servicenow_emulator(tmp_path / "snow.sqlite3")
    sys_id = create(emulator, {"short_description": "keep me"}).json()["result"]["sys_id"]
    emulator.stop()
    again = start_servicenow_emulator(tmp_path / "snow.sqlite3")
    record = again.api("GET", f"/table/incident/{sys_id}").json()["result"]
    assert record["short_description"] == "keep me"
    assert record["number"] == "INC0010001"
    assert create(again, {}).json()["result"]["number"] == "INC0010002"


def test_a_fault_can_be_active_from_the_start(tmp_path, start_servicenow_emulator):
    fault = Fault("hibernating")
    emulator = start_servicenow_emulator(tmp_path / "snow.sqlite3", fault)
    assert "hibernating" in emulator.api("GET", "/table/incident").text


def test_slow_after_commit_writes_first_then_answers_late(servicenow_emulator):
    servicenow_emulator.set_fault("slow_after_commit", delay_seconds=1.5, count=1)
    with pytest.raises(requests.Timeout):
        servicenow_emulator.api(
            "POST",
            "/table/incident",
            json={"short_description": "late", "correlation_id": "CA1:ticket:1"},
            timeout=0.5,
        )
    assert incidents(servicenow_emulator, "correlation_id=CA1:ticket:1") != []


def test_drop_after_commit_writes_then_closes_without_an_answer(servicenow_emulator):
    servicenow_emulator.set_fault("drop_after_commit", count=1)
    with pytest.raises(requests.ConnectionError):
        create(servicenow_emulator, {"short_description": "dropped", "correlation_id": "CA2:t:1"})
    assert len(incidents(servicenow_emulator, "correlation_id=CA2:t:1")) == 1
    # Lookups are never hit by these faults, and the next create answers.
    assert create(servicenow_emulator, {"short_description": "ok"}).status_code == 201
