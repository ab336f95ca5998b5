"""action_handoff decides whether a person is rung and what they hear first; it rings nobody.

ServiceNow is its emulator over HTTP, reached through the production client.
The action server has no Twilio client: the calls are the voice channel's
(tests/unit/test_handoff_switchboard.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions import clients, handoff
from actions.handoff import ActionHandoff, ActionHandoffFailed
from contract import OUTCOME_NO_AGENT, OUTCOME_UNREACHABLE
from handoff.request import HandoffRequest
from servicenow.client import ServiceNowClient
from tests.action_support import make_tracker, run_action
from tests.servicenow_fixtures import RunningEmulator

AGENTS = ("+15555550142", "+15555550143")
OPERATOR = "+15555550177"
VPN_CALL = {
    "caller_phone": "+15555550100",
    "problem_category": "vpn",
    "problem_description": "it drops every ten minutes",
    "known_email": "abel.tuter@example.com",
}


@pytest.fixture(autouse=True)
def servicenow(
    servicenow_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningEmulator]:
    client = ServiceNowClient(servicenow_emulator.settings)
    monkeypatch.setattr(clients, "servicenow", lambda: client)
    monkeypatch.setenv("HANDOFF_AGENT_NUMBERS", ",".join(AGENTS))
    monkeypatch.setenv("HANDOFF_BUSINESS_HOURS", "always")
    yield servicenow_emulator


def request_of(messages: list[dict]) -> HandoffRequest | None:
    return HandoffRequest.from_messages(messages)


async def test_the_hand_off_is_asked_for_with_a_summary_and_the_transcript_is_stored(
    servicenow: RunningEmulator,
) -> None:
    slots, messages = await run_action(
        ActionHandoff(), make_tracker("agent", "request_human", "priority", VPN_CALL)
    )
    assert "connecting you to an agent" in messages[-1]["text"]
    request = request_of(messages)
    assert request is not None
    assert request.agents == (), "the channel rings the configured agents"
    assert "+15555550100" in request.summary
    assert "abel.tuter@example.com" in request.summary
    assert "vpn problem: it drops every ten minutes" in request.summary.lower()
    number = slots["handoff_incident"]
    assert f"The transcript is on incident {number}." in request.summary
    (record,) = servicenow.api(
        "GET", "/table/incident", params={"sysparm_query": f"number={number}"}
    ).json()["result"]
    assert "Caller: agent" in record["description"]


async def test_a_take_over_asks_for_the_named_operator_only() -> None:
    tracker = make_tracker(
        "EXTERNAL: request_human",
        "request_human",
        slots={"caller_phone": "+15555550100"},
        entities=[{"entity": "agent_number", "value": OPERATOR}],
        form=None,
    )
    _, messages = await run_action(ActionHandoff(), tracker)
    assert messages[-1]["text"].startswith("I'm bringing in a colleague")
    request = request_of(messages)
    assert request is not None and request.agents == (OPERATOR,)


async def test_no_agent_configured_offers_a_ticket_and_asks_for_no_hand_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HANDOFF_AGENT_NUMBERS", "")
    _, messages = await run_action(
        ActionHandoff(), make_tracker("agent", "request_human", form=None)
    )
    assert "open a ticket" in messages[0]["text"]
    assert request_of(messages) is None


async def test_outside_business_hours_offers_a_ticket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_BUSINESS_HOURS", "Mon-Fri 08:00-18:00")
    monkeypatch.setattr(handoff, "is_open", lambda spec, timezone: False)  # a Sunday night
    _, messages = await run_action(
        ActionHandoff(), make_tracker("agent", "request_human", slots=VPN_CALL, form=None)
    )
    assert "aren't available" in messages[0]["text"]
    assert "They take calls Monday to Friday, 8 AM to 6 PM." in messages[0]["text"]
    assert request_of(messages) is None


async def test_servicenow_down_still_hands_the_caller_off(servicenow: RunningEmulator) -> None:
    servicenow.set_fault("server_error")
    slots, messages = await run_action(
        ActionHandoff(), make_tracker("agent", "request_human", slots=VPN_CALL, form=None)
    )
    request = request_of(messages)
    assert request is not None and "transcript" not in request.summary
    assert slots["handoff_incident"] is None


@pytest.mark.parametrize(
    ("outcome", "sentence"),
    [
        (OUTCOME_NO_AGENT, "Sorry, no agent is free right now."),
        (OUTCOME_UNREACHABLE, "Sorry, I couldn't reach an agent just now."),
    ],
)
async def test_back_from_the_hold_the_caller_hears_why_and_is_offered_a_ticket(
    outcome: str, sentence: str
) -> None:
    tracker = make_tracker(
        "EXTERNAL: handoff_failed",
        "handoff_failed",
        entities=[{"entity": "handoff_outcome", "value": outcome}],
        form=None,
    )
    _, messages = await run_action(ActionHandoffFailed(), tracker)
    assert messages[0]["text"].startswith(sentence)
    assert "open a ticket" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
