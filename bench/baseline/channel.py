"""Rasa's ``twilio_voice`` channel with the two smallest fixes this domain needs.

1. Messages without text are skipped. The stock channel builds its TwiML from
   ``message["text"]`` for every message the bot sends. This project's domain
   and actions attach custom payloads to spoken responses (``utter_goodbye``
   asks the channel to hang up, the email question offers the keypad); Rasa
   sends such a payload as a message of its own, without text, and the stock
   channel fails on it with a ``KeyError`` (HTTP 500).
2. The conversation is keyed by the caller's number without its ``+``. The
   stock channel keys it by ``From`` (``+15552000001``); with no call SID the
   actions key the ticket request by the conversation's id, and ServiceNow's
   ``correlation_id`` takes only letters, digits and ``:._-``, so every ticket
   failed.

Nothing else changes: same routes, same ``<Gather>``, one conversation per
caller number, the stock collecting output channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio_voice import TwilioVoiceInput
from sanic import Blueprint
from twilio.twiml.voice_response import VoiceResponse


class StockTwilioVoice(TwilioVoiceInput):
    """The stock channel, minus its two failures on this project's domain."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def keyed_by_digits(message: UserMessage) -> None:
            message.sender_id = (message.sender_id or "").lstrip("+") or message.sender_id
            await on_new_message(message)

        return super().blueprint(keyed_by_digits)

    def _build_twilio_voice_response(self, messages: list[dict[str, Any]]) -> VoiceResponse:
        spoken = [message for message in messages if message.get("text")]
        return super()._build_twilio_voice_response(spoken)
