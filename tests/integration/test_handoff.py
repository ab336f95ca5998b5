"""Hand-off: the caller reaches a person through a Twilio conference.

The Twilio REST emulator plays the phone network: it rings the agents the
Rasa process calls, plays them the whisper, presses their keys and records who
joined which conference. The action server and the console run without a
Twilio account (stack/local.py), so every test here also checks that they
need none.
"""

from __future__ import annotations

import time

import pytest
import requests

from emulators.twilio_call import Turn, TwilioCall
from tests.integration.conftest import AGENT, RASA_API_TOKEN, SECOND_AGENT, Stack

OPERATOR = "+15555550177"

# A hand-off's record lives in the tracker database and Twilio's reports may reach
# either replica: every test runs on the embedded stack and on the production path.
pytestmark = [pytest.mark.integration, pytest.mark.both_stores]


def whisper_of_last_agent_call(stack: Stack) -> str:
    return " ".join(stack.twilio.agent_calls()[-1]["heard"])


def test_caller_asks_for_a_person_and_the_agent_accepts(agents: Stack) -> None:
    call = agents.call()
    call.dial()
    holding = call.say("can i talk to a real person please")
    assert "connecting you to an agent" in holding.text
    assert holding.conference and holding.conference.startswith("handoff-")
    joined = call.wait_on_hold()
    assert joined.agent_joined
    agent_leg = agents.twilio.agent_calls()[-1]
    assert agent_leg["to"] == AGENT
    assert agent_leg["conference"] == holding.conference
    assert agent_leg["digits"] == ["1"]
    whisper = " ".join(agent_leg["heard"])
    assert "5 5 5, 5 5 5, 0 1 0 0" in whisper, "the agent hears the caller's number"
    assert "Press 1 to take the call" in whisper
    call.hang_up()


def test_transfer_from_inside_the_form_tells_the_agent_the_problem(agents: Stack) -> None:
    call = agents.call()
    call.dial()
    call.say("my vpn keeps disconnecting")
    call.say("it drops every ten minutes when i'm at home")
    holding = call.say("agent")
    assert holding.conference
    assert call.wait_on_hold().agent_joined
    whisper = whisper_of_last_agent_call(agents)
    assert "vpn problem: it drops every ten minutes" in whisper.lower()
    assert "The transcript is on incident I N C" in whisper
    (record,) = agents.servicenow.incidents(
        "short_descriptionSTARTSWITHTransferred to an agent: VPN problem"
    )[-1:]
    assert "it drops every ten minutes" in record["description"]
    assert "Caller: agent" in record["description"]
    call.hang_up()


def test_pressing_zero_asks_for_a_person(agents: Stack) -> None:
    call = agents.call()
    call.dial()
    assert call.press("0").conference
    assert call.wait_on_hold().agent_joined
    call.hang_up()


@pytest.mark.parametrize("behaviour", ["no-answer", "busy", "decline"])
def test_no_agent_takes_the_call_and_the_caller_is_back_with_the_assistant(
    agents: Stack, behaviour: str
) -> None:
    agents.twilio.set_agent(AGENT, behaviour)
    agents.twilio.set_agent(SECOND_AGENT, behaviour)
    call = agents.call()
    call.dial()
    call.say("my printer is broken")
    call.say("it prints blank pages")
    assert call.say("i want to talk to someone").conference
    back = call.wait_on_hold()
    assert "no agent is free right now" in back.text
    assert "open a ticket" in back.text
    tried = [leg["to"] for leg in agents.twilio.agent_calls()[-2:]]
    assert tried == [AGENT, SECOND_AGENT], "both agents were tried, in order"
    # Nothing the caller said was lost: the form resumes at the next question.
    assert "How urgent" in call.say("yes please").text
    call.hang_up()


def test_twilio_error_becomes_an_apology_and_a_ticket_offer(agents: Stack) -> None:
    agents.twilio.set_fault("server_error")
    call = agents.call()
    call.dial()
    answer = call.say("representative")
    assert answer.conference is None
    assert "couldn't reach an agent" in answer.text
    assert "open a ticket" in answer.text


def test_transcript_is_added_to_the_calls_incident(agents: Stack) -> None:
    call = agents.call()
    call.dial()
    call.say("my laptop screen is cracked")
    call.say("i dropped it this morning")
    call.say("low")
    call.say("fred dot luddy at example dot com")
    done = call.say("yes").text
    assert "Your ticket number is" in done
    call.say("actually can i speak to an agent")
    assert call.wait_on_hold().agent_joined
    records = requests.get(
        f"{agents.servicenow_url}/api/now/table/incident",
        params={
            "sysparm_query": "short_descriptionSTARTSWITHHardware problem: I dropped it",
            "sysparm_display_value": "true",
            "sysparm_fields": "number,work_notes",
        },
        auth=("admin", "admin"),
        timeout=5,
    ).json()["result"]
    notes = records[-1]["work_notes"]
    assert "transferred this caller to an agent" in notes
    assert "Caller: i dropped it this morning" in notes
    call.hang_up()


def test_the_console_take_over_rings_only_the_operator_and_holds_the_caller(
    agents: Stack,
) -> None:
    agents.twilio.set_agent(OPERATOR, "accept")
    call = agents.call()
    call.dial()
    call.say("my vpn keeps disconnecting")
    rung_before = len(agents.twilio.agent_calls())
    reply = requests.post(
        f"{agents.voice_url}/webhooks/twilio_voice/takeover",
        params={"token": RASA_API_TOKEN},
        json={"call_sid": call.sid, "operator_phone": OPERATOR},
        timeout=30,
    )
    reply.raise_for_status()
    assert reply.json()["ringing"] is True
    assert "bringing in a colleague" in " ".join(reply.json()["said"])
    holding = moved(call)
    assert "bringing in a colleague" in holding.text
    assert holding.conference and holding.conference.startswith("handoff-")
    assert call.wait_on_hold().agent_joined
    assert [leg["to"] for leg in agents.twilio.agent_calls()[rung_before:]] == [OPERATOR]
    call.hang_up()


def moved(call: TwilioCall, timeout: float = 30.0) -> Turn:
    """What the caller hears once the take-over moved the call (the timeout bounds a hang)."""
    deadline = time.monotonic() + timeout
    while (turn := call.take_redirect()) is None:
        if time.monotonic() > deadline:
            raise AssertionError("the take-over never moved the caller")
        time.sleep(0.05)
    return turn


def test_a_take_over_without_rasas_token_is_refused(agents: Stack) -> None:
    reply = requests.post(
        f"{agents.voice_url}/webhooks/twilio_voice/takeover",
        params={"token": "not-the-token"},
        json={"call_sid": "CA" + "0" * 32, "operator_phone": OPERATOR},
        timeout=10,
    )
    assert reply.status_code == 403
