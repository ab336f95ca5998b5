"""A fault inside the voice channel is spoken to the caller, never an HTTP 500."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from urllib.parse import urlencode

from channels.twilio_voice import APOLOGY, PendingTurn, TwilioVoiceChannel, VoiceOutput
from settings import HandoffSettings, VoiceSettings

CALL = {"CallSid": "CA" + "b" * 32, "From": "+15555550100", "To": "+15555550199"}


class Form(dict):
    """Sanic's form: ``get`` gives the first value."""


class BrokenLockStore:
    def lock(self, _: str) -> None:
        raise ConnectionError("redis went away")


def request(form: dict[str, str], agent: object) -> SimpleNamespace:
    return SimpleNamespace(
        form=Form(form),
        args={},
        headers={},
        scheme="http",
        host="127.0.0.1:5005",
        path="/webhooks/twilio_voice/webhook",
        query_string="",
        body=urlencode(form).encode(),
        app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)),
    )


def channel(**env: str) -> TwilioVoiceChannel:
    settings = {"TWILIO_VALIDATE_SIGNATURE": "false", **env}
    return TwilioVoiceChannel(VoiceSettings.from_env(settings), HandoffSettings.from_env(settings))


class EmptyTrackerStore:
    async def retrieve(self, _: str) -> None:
        return None


async def test_a_broken_lock_store_becomes_a_spoken_apology() -> None:
    voice = channel()
    broken = SimpleNamespace(lock_store=BrokenLockStore())
    reply = await voice._answer(request(CALL, broken), voice._start_call)
    assert reply.status == 200
    assert reply.content_type.startswith("text/xml")
    root = ET.fromstring(reply.body)
    assert root.find("Gather/Say").text == APOLOGY
    assert root.find("Gather").get("action").endswith("/webhooks/twilio_voice/gather")


async def test_a_request_without_a_call_sid_is_a_clear_400() -> None:
    voice = channel()
    reply = await voice._answer(request({"From": "+1"}, object()), voice._start_call)
    assert reply.status == 400
    assert b"CallSid" in reply.body


async def test_an_agent_request_without_its_transfer_is_a_clear_400() -> None:
    voice = channel()
    reply = await voice._answer(
        request(CALL, object()), lambda r, call: voice.agent_leg.whisper(r, call.sid)
    )
    assert reply.status == 400
    assert b"caller or conference" in reply.body


async def test_a_turn_that_never_finishes_ends_in_an_apology_not_silence() -> None:
    voice = channel(VOICE_TURN_BUDGET_SECONDS="0.01")
    stuck = asyncio.create_task(asyncio.sleep(3600))
    voice.pending[CALL["CallSid"]] = PendingTurn(stuck, VoiceOutput())
    pending = request(CALL, object())
    for _ in range(2):
        waiting = ET.fromstring((await voice._answer(pending, voice._collect_pending)).body)
        assert waiting.find("Redirect").text.endswith("/webhooks/twilio_voice/pending")
    final = ET.fromstring((await voice._answer(pending, voice._collect_pending)).body)
    assert final.find("Gather/Say").text == APOLOGY
    await asyncio.sleep(0)
    assert stuck.cancelled()
    assert CALL["CallSid"] not in voice.pending


async def test_repeated_silence_transfers_the_caller_when_configured() -> None:
    voice = channel(HANDOFF_AFTER_SILENCES="2", HANDOFF_AGENT_NUMBERS="+15555550142")
    said: list[str] = []

    async def assistant(message: object) -> None:
        said.append(message.text)

    agent = SimpleNamespace(tracker_store=EmptyTrackerStore())
    second_silence = request(CALL, agent)
    second_silence.args = {"silences": "1"}
    reply = await voice._answer(
        second_silence, lambda r, call: voice._caller_turn(r, call, assistant)
    )
    assert reply.status == 200
    assert said == ["/request_human"]


async def test_without_agents_repeated_silence_ends_the_call_politely() -> None:
    voice = channel(HANDOFF_AFTER_SILENCES="2", HANDOFF_AGENT_NUMBERS="", VOICE_MAX_SILENCES="2")
    agent = SimpleNamespace(tracker_store=EmptyTrackerStore())
    second_silence = request(CALL, agent)
    second_silence.args = {"silences": "1"}
    reply = await voice._answer(second_silence, lambda r, call: voice._caller_turn(r, call, None))
    root = ET.fromstring(reply.body)
    assert [child.tag for child in root] == ["Say", "Hangup"]
