"""What the benchmarks talk to: the local stack on free ports, or a running one.

The local stack is started the way the integration tests start it
(``tests/integration/conftest.py``): the service list of :mod:`stack.local` on
free ports, with its own ServiceNow database (in a temporary folder), its own
tracker database and its own Redis database, so neither a developer's running
stack nor a test run is disturbed. Unlike the tests it keeps the configured
turn budget, since that is one of the figures being measured against.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.train_model import ensure_model
from settings import StackSettings, VoiceSettings, load_environment
from stack.local import Ports, build_services, stack_environment
from stack.processes import Service, free_port

TRACKER_DB = "helpdesk_voice_bench"
REDIS_DB = "2"  # 0 is `make up`'s, 1 the integration tests'
START_TIMEOUT_SECONDS = 240.0


@dataclass(frozen=True)
class Target:
    """Where the benchmarks send calls and parses."""

    voice_url: str
    duckling_url: str
    auth_token: str
    turn_budget_seconds: float


def running_stack(base_url: str, duckling_url: str | None, turn_budget: float | None) -> Target:
    """A stack someone else started; token and budget from the environment (``.env``)."""
    load_environment()
    voice = VoiceSettings.from_env()
    duckling = duckling_url or f"http://127.0.0.1:{StackSettings.from_env().duckling_port}"
    return Target(
        voice_url=base_url.rstrip("/"),
        duckling_url=duckling.rstrip("/"),
        auth_token=voice.auth_token,
        turn_budget_seconds=turn_budget if turn_budget is not None else voice.turn_budget_seconds,
    )


@contextmanager
def local_stack(turn_budget: float | None = None) -> Iterator[Target]:
    """Start every service on free ports, yield the target, stop them all."""
    load_environment()
    budget = (
        turn_budget if turn_budget is not None else VoiceSettings.from_env().turn_budget_seconds
    )
    model = ensure_model()
    ports = Ports(
        rasa=free_port(),
        actions=free_port(),
        duckling=free_port(),
        servicenow=free_port(),
        twilio=free_port(),
    )
    token = secrets.token_hex(16)
    env = {
        **stack_environment(ports, os.environ),
        # Ports: set again, since stack_environment lets the caller's environment win.
        "RASA_PORT": str(ports.rasa),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports.actions}/webhook",
        "RASA_DUCKLING_HTTP_URL": f"http://127.0.0.1:{ports.duckling}",
        "SNOW_HOST": f"127.0.0.1:{ports.servicenow}",
        "SNOW_INSTANCE": "",
        "SNOW_USER": "admin",
        "SNOW_PASSWORD": "admin",
        "SNOW_EMULATOR_FAULT": "",
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{ports.twilio}",
        "TWILIO_ACCOUNT_SID": "",
        "TRACKER_DB_NAME": TRACKER_DB,
        "REDIS_DB": REDIS_DB,
        "TWILIO_AUTH_TOKEN": token,
        "TWILIO_VALIDATE_SIGNATURE": "true",  # the check is part of every turn
        "PUBLIC_URL": "",
        "VOICE_TURN_BUDGET_SECONDS": str(budget),
    }
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-") as folder:
        workdir = Path(folder)
        services = build_services(
            ports, workdir / "logs", env, workdir / "servicenow.sqlite3", model
        )
        started: list[Service] = []
        began = time.monotonic()
        try:
            for service in services:
                started.append(service.start())
                service.wait_healthy(timeout=START_TIMEOUT_SECONDS)
            print(f"local stack up on free ports in {time.monotonic() - began:.0f} s")
            yield Target(
                voice_url=f"http://127.0.0.1:{ports.rasa}",
                duckling_url=f"http://127.0.0.1:{ports.duckling}",
                auth_token=token,
                turn_budget_seconds=budget,
            )
        finally:
            for service in reversed(started):
                service.stop()
