"""The whole local stack on free ports (stack.isolated), for calls through the
voice webhook, with helpers to steer the emulators and read what was stored."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from settings import StoreSettings
from stack.isolated import AGENTS, POSTGRES, IsolatedStack, isolated_stack
from stores.database import StoreUnreachable, check_tracker_database

AUTH_TOKEN = "integration-test-token"
TURN_BUDGET_SECONDS = 1.5
# A webhook slower than this is broken, not merely on a busy machine: an order of
# magnitude above a turn, and still below Twilio's own 15 s webhook timeout.
SLOW_REQUEST_SECONDS = 10.0
# embedded (default: SQLite, locks in memory) or postgres (PostgreSQL and Redis).
STORES = os.environ.get("INTEGRATION_STORES", "embedded")
SNOW_TIMEOUT_SECONDS = 3.0
SETTLE_SECONDS = 8.0
AGENT, SECOND_AGENT = AGENTS


class Stack(IsolatedStack):
    """The isolated stack, with what the call tests read of it."""

    def log(self, service: str) -> str:
        """What one of the stack's processes has logged so far."""
        return self.service(service).log_path.read_text(errors="replace")

    def tracker_events(self, call_sid: str) -> list[tuple[str, dict]]:
        """(type, data) of every stored event of the call's conversation."""
        engine = sa.create_engine(self.tracker_store_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text(
                        "SELECT type_name, data FROM events WHERE sender_id = :sid ORDER BY id"
                    ),
                    {"sid": call_sid},
                ).all()
            return [(kind, json.loads(data)) for kind, data in rows]
        finally:
            engine.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL and Redis, only what runs on the session stack runs again: the
    other tests (their own stacks, command lines, engines) do not depend on the stores."""
    if STORES != "postgres":
        return
    elsewhere = [item for item in items if "stack" not in item.fixturenames]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if "stack" in item.fixturenames]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if STORES == "postgres":
        try:
            check_tracker_database(
                StoreSettings.from_env({"TRACKER_STORE_URL": POSTGRES + "/postgres"})
            )
        except StoreUnreachable as error:
            pytest.skip(f"INTEGRATION_STORES=postgres, but {error}")
    with isolated_stack(
        tmp_path_factory.mktemp("stack"),
        auth_token=AUTH_TOKEN,
        name=f"integration_{STORES}",
        stores=STORES,
        overrides={
            "SNOW_TIMEOUT_SECONDS": str(SNOW_TIMEOUT_SECONDS),
            "TICKET_SETTLE_SECONDS": str(SETTLE_SECONDS),
            # Short, so a slow ServiceNow answer exercises the filler and redirect.
            "VOICE_TURN_BUDGET_SECONDS": str(TURN_BUDGET_SECONDS),
        },
    ) as running:
        yield Stack(**{f.name: getattr(running, f.name) for f in dataclasses.fields(running)})


@pytest.fixture
def servicenow_ok(stack: Stack) -> Iterator[Stack]:
    """The stack with a healthy ServiceNow again after the test."""
    yield stack
    stack.servicenow.set_fault("none")


@pytest.fixture
def agents(stack: Stack) -> Iterator[Stack]:
    """The stack with both agents answering and accepting again after the test."""
    yield stack
    for number in (AGENT, SECOND_AGENT):
        stack.twilio.set_agent(number, "accept")
    stack.twilio.set_fault("none")
