"""Take over: an operator joins a live call through the assistant's own hand-off.

The intent ``request_human`` is triggered in the call's conversation with the
operator's number as ``agent_number``, so ``action_handoff`` rings only that
phone (whisper, transcript on the incident and all) and stores the turn that
puts the caller in the conference. Then the live call is redirected to the
voice channel's ``pending`` route, which speaks that stored turn: "I'm
bringing in a colleague", then hold until the operator presses 1.
"""

from __future__ import annotations

import logging
from typing import Protocol

from console.rasa_api import RasaApi
from telephony.agent_call import channel_url

logger = logging.getLogger(__name__)
HUMAN_INTENT = "request_human"
AGENT_ENTITY = "agent_number"


class CallRedirector(Protocol):
    async def redirect_call(self, call_sid: str, url: str) -> None: ...


async def take_over(
    rasa: RasaApi,
    twilio: CallRedirector,
    *,
    call_sid: str,
    operator_phone: str,
    voice_base_url: str,
) -> list[str]:
    """Returns what the assistant said to the caller."""
    said = await rasa.trigger_intent(call_sid, HUMAN_INTENT, {AGENT_ENTITY: operator_phone})
    await twilio.redirect_call(call_sid, channel_url(voice_base_url, "pending"))
    logger.info("call %s taken over from the console", call_sid)
    return said
