"""What the benchmarks talk to: the local stack on free ports, or a running one.

The local stack is the one the integration tests and the offline e2e suite
start (:mod:`stack.isolated`): the services of ``make up`` on free ports, with
the benchmark's own auth token, ServiceNow database (in a temporary folder),
tracker database and Redis database, so neither a developer's running stack
nor a test run is disturbed. Unlike the tests it keeps the configured turn
budget, since that is one of the figures being measured against.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from settings import StackSettings, VoiceSettings, load_environment
from stack.isolated import isolated_stack

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
    """Start every service on free ports (training first if needed), yield, stop them all."""
    load_environment()
    budget = (
        turn_budget if turn_budget is not None else VoiceSettings.from_env().turn_budget_seconds
    )
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-") as folder:
        began = time.monotonic()
        with isolated_stack(
            Path(folder),
            auth_token=token,
            name="bench",
            overrides={"VOICE_TURN_BUDGET_SECONDS": str(budget)},
            timeout=START_TIMEOUT_SECONDS,
        ) as stack:
            print(f"local stack up on free ports in {time.monotonic() - began:.0f} s")
            yield Target(
                voice_url=stack.voice_url,
                duckling_url=stack.url("duckling"),
                auth_token=token,
                turn_budget_seconds=budget,
            )
