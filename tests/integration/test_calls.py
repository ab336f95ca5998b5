"""Whole phone calls through the voice webhook of the trained assistant.

Each test is one caller's conversation against the real stack: Rasa with the
voice channel, the action server, the Duckling server and the ServiceNow
emulator, all over loopback HTTP. What the caller hears is checked as text;
what ServiceNow stores is checked through its Table API.
"""

from __future__ import annotations

import re

import pytest
import requests
from twilio.request_validator import RequestValidator

from emulators.twilio_call import TwilioCall
from tests.integration.conftest import Stack

pytestmark = [pytest.mark.integration]

# Tests marked both_stores also run on the production path (tests/stacks.py): the
# conversation, the reply a /pending redirect collects and the ticket outbox live in
# the tracker database, and each turn may reach either replica.

ABEL = "abel dot tuter at example dot com"


def ticket_number(heard: str) -> str:
    """The incident number in what the caller heard ("I N C, 0 0 1, 0 0 0 7")."""
    spoken = re.search(r"I N C([\d ,]+\d)", heard)
    assert spoken, f"no ticket number in {heard!r}"
    return "INC" + re.sub(r"\D", "", spoken.group(1))


def open_vpn_ticket_up_to_confirmation(call: TwilioCall) -> str:
    """Reports a VPN problem and answers every question; returns the read-back."""
    assert "help desk" in call.dial().text
    assert "what's going wrong" in call.say("um my vpn keeps disconnecting").text
    call_text = call.say("it drops every ten minutes when i'm working from home").text
    assert "How urgent" in call_text
    assert "press 1" in call_text
    assert "email" in call.say("it's urgent").text
    return call.say(ABEL).text


@pytest.mark.both_stores
def test_caller_opens_an_incident_by_speech(stack: Stack) -> None:
    call = stack.call()
    readback = open_vpn_ticket_up_to_confirmation(call)
    assert "a b e l dot t u t e r at example dot com" in readback
    assert "high priority" in readback
    done = call.say("yes that's right").text
    assert "Your ticket number is I N C" in done
    number = ticket_number(done)
    (record,) = stack.servicenow.incidents(f"number={number}")
    assert record["urgency"] == "1"
    assert record["impact"] == "2"
    assert record["priority"] == "2"
    assert "drops every ten minutes" in record["description"]
    assert record["short_description"].startswith("VPN problem")
    users = requests.get(
        f"{stack.servicenow_url}/api/now/table/sys_user",
        params={"sysparm_query": "email=abel.tuter@example.com"},
        auth=("admin", "admin"),
        timeout=5,
    ).json()["result"]
    assert record["caller_id"] == users[0]["sys_id"]
    call.hang_up()


def test_caller_opens_an_incident_with_key_presses(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("the printer on the third floor is jammed")
    call.say("it shows paper jam but there is no paper stuck")
    assert "email" in call.press("3").text
    readback = call.say("beth dot anglin at example dot com").text
    assert "low priority" in readback
    assert "Your ticket number is" in call.press("1").text


@pytest.mark.both_stores
def test_caller_corrects_the_priority_at_confirmation(stack: Stack) -> None:
    call = stack.call()
    open_vpn_ticket_up_to_confirmation(call)
    readback = call.say("no the priority is low").text
    assert "low priority" in readback
    done = call.say("yes").text
    number = ticket_number(done)
    (record,) = stack.servicenow.incidents(f"number={number}")
    assert record["urgency"] == "3"


def test_caller_cancels_in_the_middle_of_the_form(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("i need a password reset")
    call.say("for my outlook account")
    cancelled = call.say("cancel").text
    assert "Nothing was opened" in cancelled
    goodbye = call.say("no thanks")
    assert goodbye.hung_up
    assert "Goodbye" in goodbye.text


def test_help_inside_the_form_returns_to_the_question(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("my laptop won't turn on")
    call.say("the power light doesn't come on at all")
    answer = call.say("what can you do").text
    assert "I can open a ticket" in answer
    assert "How urgent" in answer


def test_caller_checks_the_status_of_their_tickets(stack: Stack) -> None:
    stack.servicenow.reset()  # only the seeded tickets: other calls on this stack file more
    call = stack.call()
    call.dial()
    assert "email" in call.say("what's the status of my ticket").text
    status = call.say("abraham dot lincoln at example dot com").text
    assert status.startswith("You have 3 open tickets. I N C, 0 0 0, 0 0 5 1,")
    assert "VPN drops every few minutes: new, opened in February 2025." in status
    assert "anything else" in status


def test_email_is_remembered_for_the_rest_of_the_call(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("check my ticket")
    call.say("abraham dot lincoln at example dot com")
    call.say("yes")
    call.say("my outlook keeps crashing")
    call.say("it closes as soon as i open an email")
    offer = call.say("medium").text
    assert "same email" in offer
    assert "a b r a h a m dot l i n c o l n at example dot com" in offer
    assert "Shall I open the ticket" in call.say("yes").text


def test_unknown_email_is_asked_again(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("check my ticket")
    again = call.say("nobody at example dot com").text
    assert "couldn't find an account" in again


def test_servicenow_outage_becomes_an_apology_and_a_next_step(servicenow_ok: Stack) -> None:
    call = servicenow_ok.call()
    call.dial()
    call.say("check my ticket")
    servicenow_ok.servicenow.set_fault("server_error")
    answer = call.say(ABEL).text
    assert "can't reach the ticket system" in answer
    assert "agent" in answer


@pytest.mark.both_stores
def test_slow_servicenow_plays_a_filler_and_files_the_ticket_once(servicenow_ok: Stack) -> None:
    same_problem = "descriptionLIKEdrops every ten minutes"
    before = len(servicenow_ok.servicenow.incidents(same_problem))
    call = servicenow_ok.call()
    open_vpn_ticket_up_to_confirmation(call)
    servicenow_ok.servicenow.set_fault("slow", delay_seconds=2.2, count=1)
    done = call.say("yes")
    assert "One moment while I check" in done.text
    assert any("<Redirect" in document for document in done.twiml)
    assert "Your ticket number is" in done.text
    assert len(servicenow_ok.servicenow.incidents(same_problem)) == before + 1, "the turn ran once"


def test_low_confidence_speech_is_asked_again_not_acted_on(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    unsure = call.say("cancel", confidence=0.1)
    assert "didn't catch that" in unsure.text
    assert "What can I help you with?" in unsure.text


@pytest.mark.both_stores
def test_a_second_call_from_the_same_number_is_a_new_conversation(stack: Stack) -> None:
    first = stack.call(caller="+15555550177")
    first.dial()
    first.say("my vpn keeps disconnecting")
    first.hang_up()
    second = stack.call(caller="+15555550177")
    assert second.sid != first.sid
    assert "What can I help you with?" in second.dial().text
    assert "agent" in second.say("what can you do").text


def test_silence_is_reprompted_then_the_call_ends(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    first = call.silence()
    assert "still there" in first.text
    assert "What can I help you with?" in first.text
    call.silence()
    last = call.silence()
    assert last.hung_up
    assert "Goodbye" in last.text


def test_forged_webhook_is_rejected(stack: Stack) -> None:
    url = f"{stack.voice_url}/webhooks/twilio_voice/webhook"
    form = {"CallSid": "CA" + "1" * 32, "From": "+15555550100", "To": "+15555550199"}
    signed_with_another_token = RequestValidator("wrong-token").compute_signature(url, form)
    for signature in ("forged", signed_with_another_token):
        reply = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=5)
        assert reply.status_code == 403


@pytest.mark.both_stores
def test_hanging_up_mid_form_leaves_no_form_waiting(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("my wifi is not working")
    assert call.hang_up()["http_status"] in (200, 204)
    events = stack.tracker_events(call.sid)
    loops = [data.get("name") for kind, data in events if kind == "active_loop"]
    assert loops[-1] is None, "the form was closed when the caller hung up"
    assert events[-1][0] == "pause"
