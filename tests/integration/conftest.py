"""The whole local stack on free ports, for calls through the voice webhook.

It is the same list of services ``make up`` starts (stack.local), with its own
ServiceNow database, tracker database and Redis database, so a developer's
running stack is left alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
import requests

from emulators.twilio_call import TwilioCall
from scripts.train_model import ensure_model
from stack.local import Ports, build_services, stack_environment
from stack.processes import Service, free_port

AUTH_TOKEN = "integration-test-token"
AGENT = "+15555550142"
SECOND_AGENT = "+15555550143"
TRACKER_DB = "helpdesk_voice_test"


@dataclass
class Stack:
    ports: Ports
    services: list[Service]

    @property
    def voice_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def twilio_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.twilio}"

    @property
    def servicenow_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.servicenow}"

    def call(self, **kwargs: str) -> TwilioCall:
        return TwilioCall(self.voice_url, AUTH_TOKEN, twilio_api_url=self.twilio_url, **kwargs)

    def set_agent(self, number: str, behaviour: str) -> None:
        reply = requests.post(
            f"{self.twilio_url}/_emulator/agents",
            json={"number": number, "behaviour": behaviour, "ring_seconds": 0.2},
            timeout=5,
        )
        reply.raise_for_status()

    def agent_calls(self) -> list[dict]:
        """Calls the Twilio emulator placed to agents (newest last)."""
        reply = requests.get(f"{self.twilio_url}/_emulator/calls", timeout=5)
        reply.raise_for_status()
        return [call for call in reply.json() if call.get("direction") == "outbound-api"]

    def set_fault(self, mode: str, **options: object) -> None:
        reply = requests.post(
            f"{self.servicenow_url}/_emulator/faults", json={"mode": mode, **options}, timeout=5
        )
        reply.raise_for_status()

    def incidents(self, query: str) -> list[dict[str, str]]:
        """Incidents as ServiceNow stores them (raw values), by encoded query."""
        reply = requests.get(
            f"{self.servicenow_url}/api/now/table/incident",
            params={"sysparm_query": query, "sysparm_exclude_reference_link": "true"},
            auth=("admin", "admin"),
            timeout=5,
        )
        reply.raise_for_status()
        return reply.json()["result"]

    def tracker_events(self, call_sid: str) -> list[tuple[str, dict]]:
        """(type, data) of every stored event of the call's conversation."""
        connection = psycopg2.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname=TRACKER_DB
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id",
                    (call_sid,),
                )
                return [(kind, json.loads(data)) for kind, data in cursor.fetchall()]
        finally:
            connection.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    model = ensure_model()
    workdir: Path = tmp_path_factory.mktemp("stack")
    ports = Ports(
        rasa=free_port(),
        actions=free_port(),
        duckling=free_port(),
        servicenow=free_port(),
        twilio=free_port(),
    )
    env = {
        **stack_environment(ports, os.environ),
        "RASA_PORT": str(ports.rasa),
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
        "SNOW_TIMEOUT_SECONDS": "3",
        "TRACKER_DB_NAME": TRACKER_DB,
        "REDIS_DB": "1",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_VALIDATE_SIGNATURE": "true",
        "PUBLIC_URL": "",
        # Short, so a slow ServiceNow answer exercises the filler and redirect.
        "VOICE_TURN_BUDGET_SECONDS": "1.5",
        "HANDOFF_AGENT_NUMBERS": f"{AGENT},{SECOND_AGENT}",
    }
    services = build_services(ports, workdir / "logs", env, workdir / "servicenow.sqlite3", model)
    started: list[Service] = []
    try:
        for service in services:
            started.append(service.start())
            service.wait_healthy(timeout=240)
        yield Stack(ports, started)
    finally:
        for service in reversed(started):
            service.stop()


@pytest.fixture
def servicenow_ok(stack: Stack) -> Iterator[Stack]:
    """The stack with a healthy ServiceNow again after the test."""
    yield stack
    stack.set_fault("none")


@pytest.fixture
def agents(stack: Stack) -> Iterator[Stack]:
    """The stack with both agents answering and accepting again after the test."""
    yield stack
    for number in (AGENT, SECOND_AGENT):
        stack.set_agent(number, "accept")
    requests.post(f"{stack.twilio_url}/_emulator/faults", json={"mode": "none"}, timeout=5)
