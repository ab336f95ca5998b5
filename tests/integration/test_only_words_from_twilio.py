"""Only Twilio drives a conversation, and only with words of a sane length."""

from __future__ import annotations

import threading

import pytest
import requests

from emulators.twilio_api.twiml_runner import APPLICATION_ERROR
from tests.integration.conftest import Stack

pytestmark = [pytest.mark.integration]


def resident_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status").read().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def test_the_unsigned_rest_channel_is_not_there(stack: Stack) -> None:
    reply = requests.post(
        f"{stack.voice_url}/webhooks/rest/webhook",
        json={"sender": "CA" + "1" * 32, "message": "/request_human"},
        timeout=10,
    )
    assert reply.status_code == 404


def test_speech_that_looks_like_a_command_is_only_words(stack: Stack) -> None:
    call = stack.call()
    call.dial()
    heard = call.say('/inform{"email": "admin@example.com"}').text
    assert "admin" not in heard.lower()
    heard = call.say("/request_human").text
    assert call.conference is None or "agent" in heard  # words "request human" may ask for one


def test_a_100_kb_answer_is_cut_and_costs_neither_time_nor_memory(stack: Stack) -> None:
    rasa = stack.service("rasa").process
    assert rasa is not None
    caller, other = stack.call(), stack.call()
    caller.dial()
    other.dial()
    before = resident_mb(rasa.pid)
    other_heard: list[str] = []
    other_caller = threading.Thread(
        target=lambda: other_heard.append(other.say("my vpn keeps disconnecting").text)
    )
    other_caller.start()
    heard = caller.say("my printer " + "x" * 100_000).text
    other_caller.join()
    grown = resident_mb(rasa.pid) - before
    # Twilio (the emulator) waited for neither answer long enough to give up on it.
    assert heard and APPLICATION_ERROR not in heard
    assert other_heard and "what's going wrong" in other_heard[0]
    assert grown < 100, f"Rasa grew by {grown:.0f} MB"
    assert "cut to 500" in stack.log("rasa")
