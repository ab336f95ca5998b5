"""The whole local stack on free ports with its own databases, for test suites.

The integration tests, the offline Bespoken suite and the benchmarks each start
the same services ``make up`` starts (stack.local), but on free ports, with
their own auth token, ServiceNow database, tracker database and Redis database,
so a developer's running stack and the other suites are left alone.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from stack.local import Ports, build_services, stack_environment
from stack.processes import Service, free_port

AGENTS = ("+15555550142", "+15555550143")


@dataclass
class IsolatedStack:
    ports: Ports
    services: list[Service]
    auth_token: str

    def url(self, port_name: str) -> str:
        return f"http://127.0.0.1:{getattr(self.ports, port_name)}"

    @property
    def voice_url(self) -> str:
        return self.url("rasa")

    @property
    def servicenow_url(self) -> str:
        return self.url("servicenow")

    @property
    def twilio_url(self) -> str:
        return self.url("twilio")

    @property
    def emulators(self) -> dict[str, str]:
        """Base URLs of the emulators a test can switch faults on."""
        return {"servicenow": self.servicenow_url, "twilio": self.twilio_url}


def isolated_environment(
    ports: Ports,
    *,
    auth_token: str,
    tracker_db: str,
    redis_db: int,
    overrides: Mapping[str, str] | None = None,
    base: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """Everything points at these ports and databases, whatever ``base`` says."""
    return {
        **stack_environment(ports, base),
        # Processes that build URLs from the ports (the agent leg's webhooks) read these.
        "RASA_PORT": str(ports.rasa),
        "ACTION_SERVER_PORT": str(ports.actions),
        "DUCKLING_PORT": str(ports.duckling),
        "SNOW_EMULATOR_PORT": str(ports.servicenow),
        "TWILIO_EMULATOR_PORT": str(ports.twilio),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports.actions}/webhook",
        "RASA_DUCKLING_HTTP_URL": f"http://127.0.0.1:{ports.duckling}",
        "SNOW_HOST": f"127.0.0.1:{ports.servicenow}",
        "SNOW_INSTANCE": "",
        "SNOW_USER": "admin",
        "SNOW_PASSWORD": "admin",
        "SNOW_TIMEOUT_SECONDS": "2",
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{ports.twilio}",
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": auth_token,
        "TWILIO_VALIDATE_SIGNATURE": "true",
        "TWILIO_EMULATOR_AGENT_BEHAVIOUR": "accept",
        "TWILIO_EMULATOR_RING_SECONDS": "0.2",
        "PUBLIC_URL": "",
        "HANDOFF_AGENT_NUMBERS": ",".join(AGENTS),
        "HANDOFF_BUSINESS_HOURS": "always",
        "HANDOFF_AFTER_SILENCES": "0",
        "VOICE_TURN_BUDGET_SECONDS": "6",
        "TRACKER_DB_NAME": tracker_db,
        "REDIS_DB": str(redis_db),
        **(overrides or {}),
    }


@contextmanager
def isolated_stack(
    workdir: Path,
    *,
    auth_token: str,
    tracker_db: str,
    redis_db: int,
    overrides: Mapping[str, str] | None = None,
    timeout: float = 240.0,
) -> Iterator[IsolatedStack]:
    """Starts every service (training the model first if needed); stops them after."""
    from scripts.train_model import ensure_model

    model = ensure_model()
    ports = Ports(**{field.name: free_port() for field in dataclasses.fields(Ports)})
    env = isolated_environment(
        ports,
        auth_token=auth_token,
        tracker_db=tracker_db,
        redis_db=redis_db,
        overrides=overrides,
    )
    services = build_services(ports, workdir / "logs", env, workdir / "servicenow.sqlite3", model)
    started: list[Service] = []
    try:
        for service in services:
            started.append(service.start())
            service.wait_healthy(timeout=timeout)
        yield IsolatedStack(ports, started, auth_token)
    finally:
        for service in reversed(started):
            service.stop()
