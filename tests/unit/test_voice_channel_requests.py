"""Twilio's requests as the channel sees them: signed, retried, slow, or with stores down.

In process: a scripted assistant instead of Rasa, the reply store on a SQLite file.
"""

from __future__ import annotations

import asyncio
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from sanic import Sanic
from twilio.request_validator import RequestValidator

from channels.turn import Turn
from channels.twilio_voice import (
    FILLER,
    MAX_WAITS,
    STILL_WORKING,
    UNAVAILABLE,
    TwilioVoiceChannel,
)
from channels.urls import call_tag
from settings import StoreSettings
from tests.in_process import InProcessServer
from tests.voice_fakes import CALL_SID, ScriptedAssistant, handoff_settings, voice_settings

TOKEN = "test-token"
AGENT = object()
FORM = {"CallSid": CALL_SID, "From": "+15555550100", "To": "+15555550199"}


class Form(dict):
    """Sanic's form: ``get`` gives the first value."""


def request(
    path: str,
    form: dict[str, str],
    *,
    host: str = "127.0.0.1:5005",
    sign_host: str | None = None,
    headers: dict[str, str] | None = None,
) -> SimpleNamespace:
    split = urlsplit(path)
    url = f"http://{sign_host or host}{path}"
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    return SimpleNamespace(
        form=Form(form),
        args=dict(parse_qsl(split.query)),
        headers={"X-Twilio-Signature": signature, **(headers or {})},
        scheme="http",
        host=host,
        path=split.path,
        query_string=split.query,
        body=urlencode(form).encode(),
        app=SimpleNamespace(ctx=SimpleNamespace(agent=AGENT)),
        ctx=SimpleNamespace(received=time.perf_counter()),
    )


@pytest.fixture
def assistant() -> ScriptedAssistant:
    return ScriptedAssistant()


def channel_with_budget(
    tmp_path: Path, assistant: ScriptedAssistant, budget_seconds: float
) -> TwilioVoiceChannel:
    env = {
        "VOICE_TURN_BUDGET_SECONDS": str(budget_seconds),
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path}/t.db",
    }
    voice = TwilioVoiceChannel(
        voice_settings(**env), handoff_settings(), StoreSettings.from_env(env)
    )
    voice._assistant, voice._agent = assistant, AGENT
    return voice


@pytest.fixture
def channel(tmp_path: Path, assistant: ScriptedAssistant) -> TwilioVoiceChannel:
    """A budget no scripted turn comes near, however busy the machine: no filler by chance."""
    return channel_with_budget(tmp_path, assistant, 30.0)


@pytest.fixture
def held_channel(tmp_path: Path, assistant: ScriptedAssistant) -> TwilioVoiceChannel:
    """A short budget and an assistant that answers only once the test lets it."""
    assistant.hold = asyncio.Event()
    return channel_with_budget(tmp_path, assistant, 1.0)


def says(reply) -> list[str]:
    return [" ".join("".join(s.itertext()).split()) for s in ET.fromstring(reply.body).iter("Say")]


async def answer(channel: TwilioVoiceChannel, path: str, **form: str) -> object:
    bound = channel.conversation(request(path, {**FORM, **form}))
    return await channel._turn(request(path, {**FORM, **form}), bound.answer)


async def test_a_retried_webhook_is_answered_again_not_run_again(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant
) -> None:
    first = await answer(channel, "/webhooks/twilio_voice/gather?turn=3", SpeechResult="yes")
    assistant.next_turn = Turn(messages=[{"text": "A different answer."}])
    again = await answer(channel, "/webhooks/twilio_voice/gather?turn=3", SpeechResult="yes")
    assert again.body == first.body
    assert assistant.heard == ["yes"]


async def test_the_same_words_in_a_later_turn_are_a_new_turn(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant
) -> None:
    await answer(channel, "/webhooks/twilio_voice/gather?turn=3", SpeechResult="yes")
    await answer(channel, "/webhooks/twilio_voice/gather?turn=4", SpeechResult="yes")
    assert assistant.heard == ["yes", "yes"]


async def test_twilios_idempotency_token_identifies_a_retry(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant
) -> None:
    path = "/webhooks/twilio_voice/gather?turn=2"
    token = {"I-Twilio-Idempotency-Token": "a1b2c3"}
    for _ in range(2):
        req = request(path, {**FORM, "SpeechResult": "high"}, headers=token)
        await channel._turn(req, channel.conversation(req).answer)
    assert assistant.heard == ["high"]


async def test_concurrent_duplicates_wait_for_the_first_and_get_its_answer(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant
) -> None:
    assistant.hold = asyncio.Event()
    path = "/webhooks/twilio_voice/gather?turn=5"
    replies = asyncio.gather(
        *(answer(channel, path, SpeechResult="it is broken") for _ in range(3))
    )
    await asyncio.sleep(0.2)  # the duplicates arrive while the first is held (or after: same)
    assistant.hold.set()
    assert len({reply.body for reply in await replies}) == 1
    assert assistant.heard == ["it is broken"]


async def collect(channel: TwilioVoiceChannel, reply: object) -> tuple[object, str]:
    """Follow the wait's redirects as Twilio does; the answer and the last pending URL."""
    for _ in range(MAX_WAITS + 1):
        pending = urlsplit(ET.fromstring(reply.body).find("Redirect").text)
        url = f"{pending.path}?{pending.query}"
        reply = await channel._pending(request(url, FORM))
        if says(reply) != [STILL_WORKING]:
            return reply, url
    raise AssertionError("the turn never finished")


async def test_a_slow_turn_plays_the_filler_then_pending_collects_it_once(
    held_channel: TwilioVoiceChannel, assistant: ScriptedAssistant
) -> None:
    reply = await answer(held_channel, "/webhooks/twilio_voice/gather?turn=1", SpeechResult="yes")
    assert says(reply) == [FILLER]
    assistant.hold.set()
    collected, _ = await collect(held_channel, reply)
    assert says(collected) == ["How urgent is it? Say high or press 1."]
    assert assistant.heard == ["yes"]


async def test_the_budget_counts_from_the_request_s_arrival_not_from_the_turn_s_start(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant
) -> None:
    # Queued 31 s behind other work (a busy store, a busy loop): the caller has
    # already waited out the 30 s budget, so they hear the filler at once.
    late = request("/webhooks/twilio_voice/gather?turn=1", {**FORM, "SpeechResult": "yes"})
    late.ctx.received -= 31.0
    reply = await channel._turn(late, channel.conversation(late).answer)
    assert says(reply) == [FILLER]
    collected, _ = await collect(channel, reply)
    assert says(collected) == ["How urgent is it? Say high or press 1."]


async def test_a_store_outage_is_an_honest_apology_not_an_empty_memory(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant
) -> None:
    assistant.unavailable = True
    reply = await answer(channel, "/webhooks/twilio_voice/gather?turn=1", SpeechResult="yes")
    assert reply.status == 200
    assert says(reply) == [UNAVAILABLE, "What can I help you with?"]
    assert assistant.heard == []


async def test_an_unsigned_request_is_refused(channel: TwilioVoiceChannel) -> None:
    req = request("/webhooks/twilio_voice/gather", {**FORM, "SpeechResult": "hi"})
    req.headers = {}
    reply = await channel._turn(req, channel.conversation(req).answer)
    assert reply.status == 403


async def test_a_forged_host_header_never_validates_without_public_url(
    channel: TwilioVoiceChannel,
) -> None:
    # Signed for the host the attacker names: valid only if the Host header were trusted.
    req = request("/webhooks/twilio_voice/gather", FORM, host="evil.example.com")
    reply = await channel._turn(req, channel.conversation(req).answer)
    assert reply.status == 403


async def test_health_names_the_part_that_failed(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant
) -> None:
    assistant.health_report["lock store"] = "unreachable (ConnectionError)"
    health = channel.blueprint(lambda _: None)
    route = next(r for r in health._future_routes if r.uri == "/" and "GET" in r.methods)
    reply = await route.handler(request("/webhooks/twilio_voice/", FORM))
    assert reply.status == 503
    assert json.loads(reply.body)["failed"] == {"lock store": "unreachable (ConnectionError)"}


async def test_the_urls_around_a_slow_turn_count_turns_and_name_the_call_for_the_balancer(
    held_channel: TwilioVoiceChannel, assistant: ScriptedAssistant
) -> None:
    reply = await answer(held_channel, "/webhooks/twilio_voice/gather?turn=7", SpeechResult="yes")
    assistant.hold.set()
    collected, pending = await collect(held_channel, reply)
    gather = ET.fromstring(collected.body).find("Gather").get("action")
    for url, turn in ((pending, "7"), (gather, "8")):
        query = dict(parse_qsl(urlsplit(url).query))
        assert query["turn"] == turn
        assert query["call"] == call_tag(CALL_SID)  # the call's replica (stack/balancer.py)
        assert CALL_SID not in url  # a tag, not the call's SID


def test_every_answer_says_how_long_the_server_worked_on_it(
    channel: TwilioVoiceChannel,
) -> None:
    app = Sanic("voice-server-timing")
    app.ctx.agent = AGENT
    app.blueprint(channel.blueprint(lambda _: None), url_prefix="/webhooks/twilio_voice")
    server = InProcessServer(app).start()
    try:
        reply = requests.get(f"{server.base_url}/webhooks/twilio_voice/", timeout=10)
    finally:
        server.stop()
    assert reply.status_code == 200
    name, _, duration = reply.headers["Server-Timing"].partition(";dur=")
    assert name == "app" and float(duration) >= 0
