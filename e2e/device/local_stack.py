"""The whole local stack on free ports, for the offline end-to-end suite.

The same services ``make up`` starts (``stack.local.build_services``), set up
the way ``tests/integration/conftest.py`` does, with its own auth token,
ServiceNow database, tracker database and Redis database, so a developer's
running stack and a concurrent integration run are left alone.
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

AUTH_TOKEN = "e2e-offline-token"  # noqa: S105 - signs loopback webhooks only
AGENTS = "+15555550142,+15555550143"
TRACKER_DB = "helpdesk_voice_e2e"
REDIS_DB = "2"


@dataclass
class LocalStack:
    ports: Ports
    services: list[Service]
    auth_token: str = AUTH_TOKEN

    def url(self, port_name: str) -> str | None:
        port = getattr(self.ports, port_name, None)
        return f"http://127.0.0.1:{port}" if port else None

    @property
    def voice_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def emulators(self) -> dict[str, str]:
        """Base URLs of the emulators a test can switch (see e2e.device.switches)."""
        urls = {"servicenow": self.url("servicenow"), "twilio": self.url("twilio")}
        return {name: url for name, url in urls.items() if url}


def stack_env(ports: Ports, base: Mapping[str, str] = os.environ) -> dict[str, str]:
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
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{ports.twilio}",
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_EMULATOR_AGENT_BEHAVIOUR": "accept",
        "TWILIO_EMULATOR_RING_SECONDS": "0.2",
        "HANDOFF_BUSINESS_HOURS": "always",
        "HANDOFF_AFTER_SILENCES": "0",
        "SNOW_USER": "admin",
        "SNOW_PASSWORD": "admin",
        "SNOW_TIMEOUT_SECONDS": "2",
        "TRACKER_DB_NAME": TRACKER_DB,
        "REDIS_DB": REDIS_DB,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_VALIDATE_SIGNATURE": "true",
        "PUBLIC_URL": "",
        "VOICE_TURN_BUDGET_SECONDS": "6",
        "HANDOFF_AGENT_NUMBERS": AGENTS,
    }


@contextmanager
def local_stack(workdir: Path, timeout: float = 240.0) -> Iterator[LocalStack]:
    """Starts every service (training the model first if needed), stops them after."""
    from scripts.train_model import ensure_model

    model = ensure_model()
    ports = Ports(**{field.name: free_port() for field in dataclasses.fields(Ports)})
    services = build_services(
        ports, workdir / "logs", stack_env(ports), workdir / "servicenow.sqlite3", model
    )
    started: list[Service] = []
    try:
        for service in services:
            started.append(service.start())
            service.wait_healthy(timeout=timeout)
        yield LocalStack(ports, started)
    finally:
        for service in reversed(started):
            service.stop()
