"""``make up`` with a store that is not there: one line naming it, before anything starts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from settings import PROJECT_ROOT
from stack.processes import free_port

pytestmark = [pytest.mark.integration]


def test_an_unreachable_database_stops_make_up_at_once_in_one_line() -> None:
    ports = {
        name: str(free_port())
        for name in ("RASA_PORT", "ACTION_SERVER_PORT", "DUCKLING_PORT", "SNOW_EMULATOR_PORT",
                     "TWILIO_EMULATOR_PORT")
    }  # fmt: skip
    env = {
        **os.environ,
        **ports,
        "PYTHONPATH": str(PROJECT_ROOT),
        "TRACKER_STORE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/helpdesk_voice",
    }
    result = subprocess.run(
        [sys.executable, "-m", "stack", "up"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # bounds a hang only: stopping at once shows in the output, not the clock
    )
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: tracker store postgresql://")
    assert "TRACKER_STORE_URL" in lines[0]  # and no "waiting for <service>": nothing started
