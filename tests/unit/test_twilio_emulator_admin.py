"""The Twilio emulator's admin routes and faults: views, reset, refused requests, and
faults that hit its REST API only."""

from __future__ import annotations

import time

import pytest
import requests

from emulators.twilio_call import new_call_sid
from tests.twilio_fixtures import (
    AGENT,
    CALLER,
    SUPPORT,
    probe,
)


def test_admin_views_and_reset(emulator):
    caller = new_call_sid()
    emulator.dial_in(caller, CALLER, SUPPORT)
    emulator.set_agent(AGENT, "busy")
    assert [c["sid"] for c in emulator.calls()] == [caller]
    assert emulator.calls()[0]["direction"] == "inbound"
    with pytest.raises(requests.HTTPError, match="409"):
        emulator.dial_in(caller, CALLER, SUPPORT)  # one sid, one call

    emulator.reset()

    assert emulator.calls() == []


@pytest.mark.parametrize(
    ("mode", "status", "code"), [("unauthorized", 401, 20003), ("server_error", 500, 20500)]
)
def test_faults_hit_the_rest_api_only(emulator, mode, status, code):
    emulator.set_fault(mode, count=1)
    reply = probe(emulator)
    assert reply.status_code == status
    assert reply.json()["code"] == code
    assert emulator.calls() == []  # admin routes are unaffected
    assert probe(emulator).status_code == 404  # count used up: the call is unknown


def test_slow_fault_delays_answers(emulator):
    emulator.set_fault("slow", delay_seconds=0.3)
    started = time.monotonic()
    assert probe(emulator).status_code == 404
    assert time.monotonic() - started >= 0.3
    emulator.set_fault("none")


def test_bad_admin_requests_are_400(emulator):
    with pytest.raises(Exception, match="400"):
        emulator.set_fault("sometimes")
    with pytest.raises(Exception, match="400"):
        emulator.set_agent(AGENT, "maybe")
    with pytest.raises(Exception, match="404"):
        emulator.answer(new_call_sid())
    caller = new_call_sid()
    emulator.dial_in(caller, CALLER, SUPPORT)
    with pytest.raises(Exception, match="409"):
        emulator.answer(caller)  # not a manual phone that is ringing
