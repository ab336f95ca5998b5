"""The two stacks the benchmark compares, both on free ports, both started here.

* **project**: the stack the integration tests start (:mod:`stack.isolated`):
  the signed voice channel, its stores (embedded by default, or PostgreSQL and
  Redis), the action server, Duckling, the emulators and the console, with the
  configured turn budget, since the filler is part of what is measured.
* **baseline**: the stock Rasa voice bot (:mod:`bench.baseline`): Rasa's own
  ``twilio_voice`` channel with in-memory stores, beside the same action
  server, ServiceNow emulator and Duckling, serving a model trained from this
  project's domain and data with the ``rasa init`` configuration.

The baseline's processes start first, so both Rasa processes load their models
at the same time; each stack has its own ports, databases and logs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.baseline import BASELINE
from stack.isolated import isolated_environment, isolated_stack, store_urls
from stack.local import Ports, build_services
from stack.processes import Service

START_TIMEOUT_SECONDS = 600.0  # a shared 2-core machine loads two models slowly
# The baseline's processes: the project's command lines, but Rasa with bench/baseline/'s files.
BASELINE_PARTS = ("servicenow-emulator", "duckling", "action-server", "rasa")


@dataclass(frozen=True)
class Bot:
    """One stack under test, as the load, the usage figures and the report see it."""

    name: str
    voice_url: str  # where the calls go (nginx, with replicas)
    twilio_url: str  # the Twilio emulator that places them (the project's, for both bots)
    services: tuple[Service, ...]
    stores: str

    @property
    def rasa(self) -> tuple[Service, ...]:
        """The Rasa processes (one per replica); the first one's HTTP API parses NLU."""
        return tuple(s for s in self.services if s.name == "rasa" or s.name.startswith("rasa-"))

    def pids(self) -> dict[str, int]:
        """Every running process of the stack by name (the benchmark's own is not one)."""
        return {s.name: s.process.pid for s in self.services if s.process is not None}


@contextmanager
def both_stacks(
    workdir: Path, baseline_model: Path, *, stores: str, replicas: int, turn_budget: float
) -> Iterator[tuple[Bot, Bot]]:
    """Starts the baseline and the project (training the project's model if needed),
    yields (project, baseline) once both are healthy, and stops them both."""
    folder, ports = workdir / "baseline", Ports.free()
    # The action server keeps its ticket outbox in an SQLite file of its own.
    urls = store_urls(folder, "baseline", "embedded")
    env = isolated_environment(ports, stores=urls)
    services = build_services(
        ports, folder / "logs", env, folder / "servicenow.sqlite3", baseline_model, bot=BASELINE
    )
    services = [service for service in services if service.name in BASELINE_PARTS]
    with ExitStack() as started:
        for service in services:
            started.callback(service.start().stop)
        stack = started.enter_context(
            isolated_stack(
                workdir / "project",
                name="bench",
                stores=stores,
                replicas=replicas,
                overrides={"VOICE_TURN_BUDGET_SECONDS": str(turn_budget)},
                timeout=START_TIMEOUT_SECONDS,
            )
        )
        for service in services:
            service.wait_healthy(START_TIMEOUT_SECONDS)
        # The project's emulator signs its webhooks; the stock channel does not check.
        stock_url = f"http://127.0.0.1:{services[-1].port}"
        yield (
            Bot("project", stack.voice_url, stack.twilio_url, tuple(stack.services), stores),
            Bot("baseline", stock_url, stack.twilio_url, tuple(services), "in-memory"),
        )
