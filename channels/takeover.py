"""``POST /webhooks/twilio_voice/takeover``: the console's operator takes a live call.

Authorised by Rasa's API token, which the console holds. Under the call's lock
the assistant's turn that offers the person is saved and the operator's phone
rings; then the caller's live call is sent to ``/pending``, which speaks it.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from channels.turn import AssistantUnavailable
from channels.urls import call_tag
from stores.database import StoreUnreachable
from telephony.e164 import is_e164
from telephony.ids import is_call_sid
from telephony.twilio_rest import TelephonyError

if TYPE_CHECKING:
    from channels.twilio_voice import TwilioVoiceChannel

logger = logging.getLogger(__name__)


async def take_over(channel: TwilioVoiceChannel, request: Request) -> HTTPResponse:
    """The console's operator takes the call: their phone rings, the caller hears why."""
    token = channel.handoff.takeover_token
    given = str(request.args.get("token") or "")
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        return response.json({"error": "take-over needs Rasa's API token"}, status=403)
    body = request.json if isinstance(request.json, dict) else {}
    call_sid, phone = str(body.get("call_sid") or ""), str(body.get("operator_phone") or "")
    if not is_call_sid(call_sid) or not is_e164(phone):
        return response.json({"error": "give call_sid and an E.164 operator_phone"}, status=400)
    assistant = channel.assistant(request)
    try:
        async with assistant.exclusive(call_sid):
            if await channel.switchboard().holding(call_sid):
                return response.json({"error": "the caller already waits for a person"}, 409)
            taken = await channel.conversation(request, call_sid).take_over(call_sid, phone)
    except (AssistantUnavailable, SQLAlchemyError, StoreUnreachable) as error:
        logger.warning("call %s: take-over failed: %s", call_tag(call_sid), error)
        return response.json({"error": "the assistant's stores are unavailable"}, status=503)
    try:  # the caller's live call hears the saved turn (pending replays it)
        await channel.switchboard().send_caller(call_sid, "pending")
    except TelephonyError as error:
        logger.warning("call %s: take-over redirect failed: %s", call_tag(call_sid), error)
        return response.json({"error": str(error), "said": taken.said}, status=502)
    logger.info("call %s taken over from the console", call_tag(call_sid))
    return response.json({"said": taken.said, "ringing": taken.ringing})
