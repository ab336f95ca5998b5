"""What only a server's own command line does: settings read from the environment at start.

The apps themselves are unit-tested in process (tests/unit); the whole stack starts
every server through these command lines too (tests/integration/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from stack.processes import Service, free_port, python_module

pytestmark = [pytest.mark.integration]


@pytest.fixture
def started() -> Iterator[list[Service]]:
    services: list[Service] = []
    yield services
    for service in services:
        service.stop()


def start(services: list[Service], log: Path, module: str, health: str, env: dict[str, str]) -> str:
    """``python -m module --port P`` with ``env``; its base URL once healthy."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    service = Service(
        name=module,
        command=python_module(module, "--port", str(port)),
        health_url=base_url + health,
        log_path=log,
        env=env,
    )
    services.append(service.start())
    service.wait_healthy(timeout=60)
    return base_url


def test_servicenow_emulator_fault_can_be_set_at_start(
    tmp_path: Path, started: list[Service]
) -> None:
    env = {"SNOW_EMULATOR_FAULT": "hibernating", "SNOW_EMULATOR_DB": str(tmp_path / "snow.db")}
    url = start(started, tmp_path / "snow.log", "emulators.servicenow", "/_emulator/health", env)
    reply = requests.get(f"{url}/api/now/table/incident", auth=("admin", "admin"), timeout=10)
    assert "hibernating" in reply.text


def test_duckling_time_zone_comes_from_the_environment(
    tmp_path: Path, started: list[Service]
) -> None:
    env = {"DUCKLING_TIMEZONE": "Asia/Tokyo", "LANG": "C.UTF-8"}
    reftime = "1716285600000"  # 2024-05-21 10:00 UTC, 19:00 in Tokyo: the next noon is the 22nd
    url = start(started, tmp_path / "duckling.log", "duckling_server", "/", env)
    reply = requests.post(
        f"{url}/parse",
        data={"text": "at noon", "dims": '["time"]', "reftime": reftime},
        timeout=10,
    )
    [entity] = reply.json()
    assert entity["value"]["value"] == "2024-05-22T12:00:00.000+09:00"
