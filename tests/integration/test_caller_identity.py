"""Whole calls where the assistant works out who is calling without a clean email.

Caller ID from the ``From`` number (one person, or a desk phone shared by
two), a misheard address recovered from the directory with one confirmation,
an address spelled after two misses, and the employee number.
"""

from __future__ import annotations

import pytest

from emulators.servicenow.seed import user_sys_id
from emulators.twilio_call import TwilioCall
from tests.integration.conftest import Stack
from tests.integration.test_calls import ticket_number

pytestmark = [pytest.mark.integration]

ABEL_PHONE, SHARED_DESK_PHONE = "+15555550123", "+15555550177"


def report_vpn_problem(call: TwilioCall) -> str:
    """Reports a VPN problem up to the priority; returns what is asked next."""
    assert "help desk" in call.dial().text
    call.say("my vpn keeps disconnecting")
    call.say("it drops every ten minutes when i'm working from home")
    return call.say("it's urgent").text


def test_known_number_is_confirmed_and_the_ticket_is_filed_without_an_email(
    stack: Stack,
) -> None:
    call = stack.call(caller=ABEL_PHONE)
    asked = report_vpn_problem(call)
    assert "Am I speaking with Abel Tuter?" in asked
    assert "email" not in asked
    readback = call.say("yes that's me").text
    assert "a b e l dot t u t e r at example dot com" in readback
    assert "Shall I open the ticket" in readback
    done = call.say("yes").text
    (record,) = stack.servicenow.incidents(f"number={ticket_number(done)}")
    assert record["caller_id"] == user_sys_id("abel.tuter")
    assert "What's the email address" not in " ".join(call.heard)
    call.hang_up()


def test_a_no_to_the_name_asks_for_the_email(stack: Stack) -> None:
    call = stack.call(caller=ABEL_PHONE)
    call.dial()
    assert "Am I speaking with Abel Tuter?" in call.say("check my ticket").text
    assert "What's the email address on your account?" in call.say("no").text
    status = call.say("beth dot anglin at example dot com").text
    assert "ticket" in status
    call.hang_up()


def test_shared_number_asks_which_one_and_understands_the_name(stack: Stack) -> None:
    stack.servicenow.reset()  # only the seeded tickets: other calls on this stack file more
    call = stack.call(caller=SHARED_DESK_PHONE)
    call.dial()
    asked = call.say("check my ticket").text
    assert "Am I speaking with Sam Shared, or Sasha Shared?" in asked
    status = call.say("it's sasha").text
    assert "email address" not in status
    assert "I don't see any tickets" in status  # Sasha has none; her status was read
    call.hang_up()


def test_misheard_email_is_recovered_at_the_ticket_read_back(stack: Stack) -> None:
    call = stack.call()
    asked = report_vpn_problem(call)
    assert "What's the email address on your account?" in asked
    readback = call.say("able dot cuber at example dot com").text
    assert "closest one" in readback
    assert "Your email is a b e l dot t u t e r at example dot com" in readback
    assert "Shall I open the ticket?" in readback
    done = call.say("yes").text
    (record,) = stack.servicenow.incidents(f"number={ticket_number(done)}")
    assert record["caller_id"] == user_sys_id("abel.tuter")
    call.hang_up()


def test_misheard_email_is_confirmed_before_tickets_are_read(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("check my ticket")
    offer = call.say("able dot cuber at example dot com").text
    assert "Did you mean a b e l dot t u t e r at example dot com?" in offer
    assert "I N C" not in offer
    assert "open ticket" in call.say("yes").text
    call.hang_up()


def test_after_two_misses_the_caller_spells_the_email(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("check my ticket")
    assert "couldn't find" in call.say("zed dot quinn at example dot com").text
    spell = call.say("zed dot quinn at example dot com").text
    assert "letter by letter" in spell
    assert "t as in tango" in spell
    # Only the part before "at": the domain heard before completes it.
    status = call.say("b as in bravo e t h dot a n g l i n").text
    assert "couldn't find" not in status
    assert "ticket" in status
    call.hang_up()


def test_employee_number_said_identifies_the_caller(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("check my ticket")
    status = call.say("my employee number is one zero zero one two three").text
    assert "open ticket" in status and "I N C" in status  # Abel Tuter has tickets
    call.hang_up()


def test_employee_number_keyed_in_identifies_the_caller(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    call.say("check my ticket")
    status = call.press("100123#").text
    assert "open ticket" in status and "I N C" in status
    call.hang_up()
