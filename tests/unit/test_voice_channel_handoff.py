"""The hand-off through the channel's routes: Twilio's agent-call webhooks and the take-over.

In process: a scripted assistant instead of Rasa, the hand-off table on a
SQLite file, and a fake Twilio REST client, the channel's only one.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from channels.twilio_voice import TwilioVoiceChannel
from channels.urls import call_tag
from settings import StoreSettings
from stores.database import StoreUnreachable
from tests.unit.test_voice_channel_requests import AGENT, FORM, request
from tests.voice_fakes import (
    CALL_SID,
    FakeTwilio,
    ScriptedAssistant,
    handoff_settings,
    voice_settings,
)

API_TOKEN = "rasa-api-token-for-tests"
OPERATOR = "+15555550177"
AGENT_CALL = {"CallSid": "CA" + "c" * 32, "From": "+15555550199", "To": "+15555550142"}


@pytest.fixture
def twilio() -> FakeTwilio:
    return FakeTwilio()


@pytest.fixture
def assistant() -> ScriptedAssistant:
    return ScriptedAssistant()


@pytest.fixture
def channel(tmp_path: Path, assistant: ScriptedAssistant, twilio: FakeTwilio) -> TwilioVoiceChannel:
    env = {"TRACKER_STORE_URL": f"sqlite:///{tmp_path}/t.db"}
    voice = TwilioVoiceChannel(
        voice_settings(**env),
        handoff_settings(RASA_API_TOKEN=API_TOKEN),
        StoreSettings.from_env(env),
    )
    voice._assistant, voice._agent = assistant, AGENT
    voice._rest = twilio  # type: ignore[assignment]
    return voice


def route(channel: TwilioVoiceChannel, uri: str) -> Any:
    blueprint = channel.blueprint(lambda _: None)
    return next(r for r in blueprint._future_routes if r.uri == uri).handler


def path_of(url: str) -> str:
    split = urlsplit(url)
    return f"{split.path}?{split.query}"


def take_over_request(body: dict[str, str], token: str = API_TOKEN) -> SimpleNamespace:
    return SimpleNamespace(
        args={"token": token} if token else {},
        json=body,
        headers={},
        app=SimpleNamespace(ctx=SimpleNamespace(agent=AGENT)),
        scheme="http",
        host="127.0.0.1:5005",
    )


async def test_a_caller_nobody_takes_is_brought_back_and_the_assistant_learns_why(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant, twilio: FakeTwilio
) -> None:
    holding = await route(channel, "/gather")(
        request("/webhooks/twilio_voice/gather?turn=2", {**FORM, "Digits": "0"})
    )
    assert ET.fromstring(holding.body).find("Dial/Conference").text.startswith("handoff-")
    (placed,) = twilio.placed
    answered = ET.fromstring(str(placed["twiml"])).find("Redirect").text
    whisper = await route(channel, "/agent_answered")(request(path_of(answered), AGENT_CALL))
    assert "Press 1 to take the call" in whisper.body.decode()
    decided = ET.fromstring(whisper.body).find("Gather").get("action")
    declined = await route(channel, "/agent_decided")(
        request(path_of(decided), {**AGENT_CALL, "Digits": "9"})
    )
    assert "offered a ticket" in declined.body.decode()
    [(caller, back)] = twilio.redirects
    assert caller == CALL_SID
    await route(channel, "/back_from_hold")(request(path_of(back), FORM))
    assert assistant.commands[-1] == '/handoff_failed{"handoff_outcome": "no_agent"}'


async def test_an_agent_request_without_its_hand_off_is_refused(
    channel: TwilioVoiceChannel,
) -> None:
    reply = await route(channel, "/agent_answered")(
        request("/webhooks/twilio_voice/agent_answered?caller=" + CALL_SID, AGENT_CALL)
    )
    assert reply.status == 400


async def test_a_take_over_rings_the_operator_then_sends_the_caller_to_hear_it(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant, twilio: FakeTwilio
) -> None:
    reply = await route(channel, "/takeover")(
        take_over_request({"call_sid": CALL_SID, "operator_phone": OPERATOR})
    )
    assert reply.status == 200
    body = json.loads(reply.body)
    assert body["ringing"] is True
    assert "connecting you" in body["said"][0]
    assert assistant.commands == [f'/request_human{{"agent_number": "{OPERATOR}"}}']
    assert [c["to"] for c in twilio.placed] == ["+15555550142"]  # the scripted assistant names none
    [(caller, url)] = twilio.redirects
    assert caller == CALL_SID and urlsplit(url).path == "/webhooks/twilio_voice/pending"
    assert dict(parse_qsl(urlsplit(url).query)) == {"call": call_tag(CALL_SID)}  # its replica


@pytest.mark.parametrize(
    ("body", "token", "status"),
    [
        ({"call_sid": CALL_SID, "operator_phone": OPERATOR}, "", 403),
        ({"call_sid": CALL_SID, "operator_phone": OPERATOR}, "wrong-token", 403),
        ({"call_sid": "not-a-call", "operator_phone": OPERATOR}, API_TOKEN, 400),
        ({"call_sid": CALL_SID, "operator_phone": "0142"}, API_TOKEN, 400),
    ],
)
async def test_a_take_over_without_the_token_or_with_bad_input_changes_nothing(
    channel: TwilioVoiceChannel,
    assistant: ScriptedAssistant,
    twilio: FakeTwilio,
    body: dict[str, str],
    token: str,
    status: int,
) -> None:
    reply = await route(channel, "/takeover")(take_over_request(body, token))
    assert reply.status == status
    assert assistant.commands == [] and twilio.placed == [] and twilio.redirects == []


async def test_a_caller_already_on_hold_is_not_taken_over_twice(
    channel: TwilioVoiceChannel, assistant: ScriptedAssistant, twilio: FakeTwilio
) -> None:
    await route(channel, "/gather")(
        request("/webhooks/twilio_voice/gather?turn=2", {**FORM, "Digits": "0"})
    )
    reply = await route(channel, "/takeover")(
        take_over_request({"call_sid": CALL_SID, "operator_phone": OPERATOR})
    )
    assert reply.status == 409
    assert len(twilio.placed) == 1 and twilio.redirects == []


class BrokenSwitchboard:
    """A switchboard whose store is down, or which fails for a reason nobody foresaw."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def agent_answered(self, handoff_id: str, attempt: int) -> str:
        raise self.error

    async def agent_status(self, handoff_id: str, attempt: int, status: str) -> None:
        raise self.error


AGENT_URL = "/webhooks/twilio_voice/{}?handoff=" + "0" * 16 + "&attempt=0"


@pytest.mark.parametrize("error", [StoreUnreachable("down"), RuntimeError("bug")])
async def test_a_status_report_that_cannot_be_stored_is_refused_so_twilio_sends_it_again(
    channel: TwilioVoiceChannel, error: Exception
) -> None:
    channel._switchboard = BrokenSwitchboard(error)  # type: ignore[assignment]
    reply = await route(channel, "/agent_status")(
        request(AGENT_URL.format("agent_status"), {**AGENT_CALL, "CallStatus": "completed"})
    )
    assert reply.status == 503


async def test_an_agent_call_that_fails_hears_a_goodbye_not_an_error(
    channel: TwilioVoiceChannel,
) -> None:
    channel._switchboard = BrokenSwitchboard(RuntimeError("bug"))  # type: ignore[assignment]
    reply = await route(channel, "/agent_answered")(
        request(AGENT_URL.format("agent_answered"), AGENT_CALL)
    )
    assert reply.status == 200
    assert ET.fromstring(reply.body).find("Hangup") is not None
