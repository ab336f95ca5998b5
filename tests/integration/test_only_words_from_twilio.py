"""Only Twilio drives a conversation, and only with words of a sane length."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.integration.conftest import SLOW_REQUEST_SECONDS, Stack

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
    other_took: list[float] = []

    def other_caller() -> None:
        time.sleep(0.2)
        started = time.monotonic()
        other.say("my vpn keeps disconnecting")
        other_took.append(time.monotonic() - started)

    thread = threading.Thread(target=other_caller)
    thread.start()
    started = time.monotonic()
    heard = caller.say("my printer " + "x" * 100_000).text
    took = time.monotonic() - started
    thread.join()
    grown = resident_mb(rasa.pid) - before
    assert heard
    assert took < SLOW_REQUEST_SECONDS
    assert other_took and other_took[0] < SLOW_REQUEST_SECONDS
    assert grown < 100, f"Rasa grew by {grown:.0f} MB"
    assert "cut to 500" in stack.log("rasa")
