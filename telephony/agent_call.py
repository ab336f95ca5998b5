"""Places the call to an agent for a hand-off; shared by the action and the channel.

The action rings the first agent; the channel rings the next one when an agent
does not answer, is busy or declines. Both build the same URLs here, and those
URLs carry only call SIDs and the conference name, never personal data.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from twilio.twiml.voice_response import VoiceResponse

from settings import HandoffSettings
from telephony.twilio_rest import TwilioRest

CHANNEL_PATH = "/webhooks/twilio_voice"


def new_conference_name() -> str:
    """A conference name that says nothing about the caller."""
    return f"handoff-{secrets.token_hex(8)}"


def channel_url(base_url: str, route: str, **query: object) -> str:
    """Absolute URL of a voice-channel route, e.g. ``agent`` or ``handoff_failed``."""
    url = f"{base_url.rstrip('/')}{CHANNEL_PATH}/{route}"
    return f"{url}?{urlencode(query)}" if query else url


async def ring_agent(
    rest: TwilioRest,
    settings: HandoffSettings,
    *,
    caller_sid: str,
    conference: str,
    attempt: int,
) -> str:
    """Calls agent number ``attempt`` (0-based); returns the agent leg's call SID.

    When the agent picks up, Twilio fetches the channel's ``agent`` route, which
    whispers who is calling and asks the agent to press 1.
    """
    query = {"caller": caller_sid, "conference": conference, "attempt": attempt}
    answer = VoiceResponse()
    answer.redirect(channel_url(settings.channel_base_url, "agent", **query), method="POST")
    return await rest.place_call(
        to=settings.agent_numbers[attempt],
        from_=settings.support_number,
        twiml=str(answer),
        status_callback=channel_url(settings.channel_base_url, "agent_status", **query),
        timeout_seconds=settings.ring_timeout_seconds,
    )
