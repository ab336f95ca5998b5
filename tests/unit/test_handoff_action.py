"""action_handoff: when a person is called, and what they learn first.

ServiceNow and Twilio are their emulators over HTTP, reached through the
production clients.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions import clients, handoff
from actions.api.servicenow import ServiceNowClient
from actions.handoff import ActionHandoff
from telephony.twilio_rest import TwilioRest
from tests.action_support import CALL_SID, make_tracker, run_action
from tests.servicenow_fixtures import RunningEmulator
from tests.twilio_fixtures import RunningTwilioEmulator

AGENT = "+15555550142"
VPN_CALL = {
    "call_sid": CALL_SID,
    "caller_phone": "+15555550100",
    "problem_category": "vpn",
    "problem_description": "it drops every ten minutes",
    "known_email": "abel.tuter@example.com",
}


@pytest.fixture(autouse=True)
def world(
    servicenow_emulator: RunningEmulator,
    fresh_twilio_emulator: RunningTwilioEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[RunningEmulator, RunningTwilioEmulator]]:
    servicenow = ServiceNowClient(servicenow_emulator.settings)
    twilio = TwilioRest(fresh_twilio_emulator.rest_settings())
    monkeypatch.setattr(clients, "servicenow", lambda: servicenow)
    monkeypatch.setattr(clients, "twilio", lambda: twilio)
    monkeypatch.setenv("HANDOFF_AGENT_NUMBERS", AGENT)
    monkeypatch.setenv("HANDOFF_BUSINESS_HOURS", "always")
    fresh_twilio_emulator.set_agent(AGENT, "manual")
    yield servicenow_emulator, fresh_twilio_emulator


async def test_agent_is_rung_and_caller_is_moved_to_the_conference(
    world: tuple[RunningEmulator, RunningTwilioEmulator],
) -> None:
    servicenow, twilio = world
    slots, messages = await run_action(
        ActionHandoff(), make_tracker("agent", "request_human", "priority", VPN_CALL)
    )
    conference = messages[-1]["custom"]["handoff"]["conference"]
    assert conference.startswith("handoff-")
    assert "abel" not in conference and "555" not in conference
    (agent_leg,) = twilio.calls()
    assert agent_leg["to"] == AGENT
    summary = slots["handoff_summary"]
    assert "+15555550100" in summary
    assert "abel.tuter@example.com" in summary
    assert "vpn problem: it drops every ten minutes" in summary.lower()
    number = slots["handoff_incident"]
    (record,) = servicenow.api(
        "GET", "/table/incident", params={"sysparm_query": f"number={number}"}
    ).json()["result"]
    assert "Caller: agent" in record["description"]


async def test_no_agent_configured_offers_a_ticket_and_places_no_call(
    world: tuple[RunningEmulator, RunningTwilioEmulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANDOFF_AGENT_NUMBERS", "")
    _, messages = await run_action(
        ActionHandoff(), make_tracker("agent", "request_human", form=None)
    )
    assert "open a ticket" in messages[0]["text"]
    assert world[1].calls() == []


async def test_outside_business_hours_offers_a_ticket(
    world: tuple[RunningEmulator, RunningTwilioEmulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANDOFF_BUSINESS_HOURS", "Mon-Fri 08:00-18:00")
    monkeypatch.setattr(handoff, "is_open", lambda spec, timezone: False)  # a Sunday night
    _, messages = await run_action(
        ActionHandoff(), make_tracker("agent", "request_human", slots=VPN_CALL, form=None)
    )
    assert "aren't available" in messages[0]["text"]
    assert "They take calls Monday to Friday, 8 AM to 6 PM." in messages[0]["text"]
    assert world[1].calls() == []


@pytest.mark.parametrize("fault", ["unauthorized", "server_error", "slow"])
async def test_twilio_errors_become_an_apology_and_a_ticket_offer(
    world: tuple[RunningEmulator, RunningTwilioEmulator], fault: str
) -> None:
    world[1].set_fault(fault, delay_seconds=3.0)  # slow: longer than the 2 s timeout
    slots, messages = await run_action(
        ActionHandoff(), make_tracker("agent", "request_human", slots=VPN_CALL, form=None)
    )
    assert "couldn't reach an agent" in messages[0]["text"]
    assert "handoff_summary" not in slots


async def test_servicenow_down_still_transfers_the_caller(
    world: tuple[RunningEmulator, RunningTwilioEmulator],
) -> None:
    world[0].set_fault("server_error")
    slots, messages = await run_action(
        ActionHandoff(), make_tracker("agent", "request_human", slots=VPN_CALL, form=None)
    )
    assert messages[-1]["custom"]["handoff"]["conference"]
    assert slots["handoff_incident"] is None
