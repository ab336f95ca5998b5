"""Calls through the voice webhook of the session's stacks (tests/stacks.py), with
fixtures that put the emulators back the way the next test expects them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stack.isolated import AGENTS
from stack.isolated import IsolatedStack as Stack
from tests.stacks import AUTH_TOKEN, RASA_API_TOKEN, SETTLE_SECONDS, SNOW_TIMEOUT_SECONDS

__all__ = ["AUTH_TOKEN", "RASA_API_TOKEN", "SETTLE_SECONDS", "SNOW_TIMEOUT_SECONDS", "Stack"]

AGENT, SECOND_AGENT = AGENTS


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
