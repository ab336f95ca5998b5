"""The stock bot's channel: Rasa's twilio_voice, minus its two failures on this domain."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio_voice import TwilioVoiceInput

from bench.baseline.channel import StockTwilioVoice

GOODBYE = "Thanks for calling. Goodbye."


class Form(dict):
    """Sanic's form: ``get`` gives the first value."""


async def _ring(channel: TwilioVoiceInput) -> tuple[Any, list[str]]:
    """One ringing call whose bot answers with a response carrying a custom payload."""
    senders: list[str] = []

    async def bot(message: UserMessage) -> None:
        senders.append(message.sender_id)
        response = {"text": GOODBYE, "custom": {"hangup": True}}  # as utter_goodbye
        await message.output_channel.send_response(message.sender_id, response)

    blueprint = channel.blueprint(bot)
    webhook = next(route.handler for route in blueprint._future_routes if route.uri == "/webhook")
    form = Form({"From": "+15552000001", "CallStatus": "ringing"})
    return await webhook(SimpleNamespace(form=form)), senders


async def test_the_stock_channel_fails_on_a_payload_without_text() -> None:
    with pytest.raises(KeyError, match="text"):
        await _ring(TwilioVoiceInput.from_credentials(None))


async def test_the_text_is_spoken_and_the_payload_skipped() -> None:
    reply, _ = await _ring(StockTwilioVoice.from_credentials(None))
    root = ET.fromstring(reply.body)
    assert [say.text for say in root.iter("Say")] == [GOODBYE]
    assert root.find("Gather").get("action") == "/webhooks/twilio_voice/webhook"


async def test_the_conversation_is_the_callers_number_without_its_plus() -> None:
    _, senders = await _ring(StockTwilioVoice.from_credentials(None))
    assert senders == ["15552000001"]
