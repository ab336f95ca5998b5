"""The agent's side of a hand-off: whisper, accept or decline, ring the next one.

Twilio calls these routes for the agent's call leg (placed by ``action_handoff``
through telephony.agent_call). The caller's call SID and the conference name
travel in the query string; the whisper itself is read from the caller's
conversation, under its lock, so it is there even if the agent answers at once.
"""

from __future__ import annotations

import logging
from typing import Any

from sanic.request import Request
from twilio.twiml.voice_response import VoiceResponse

from channels.call import BadRequest
from channels.turn import Assistant
from channels.twiml import render_agent_joins, render_whisper
from contract import SLOT_HANDOFF_SUMMARY
from settings import HandoffSettings, TwilioRestSettings, VoiceSettings
from telephony.agent_call import channel_url, ring_agent
from telephony.ids import is_call_sid
from telephony.twilio_rest import TelephonyError, TwilioRest

logger = logging.getLogger(__name__)

FAILED_STATUSES = frozenset({"busy", "no-answer", "failed", "canceled"})
ACCEPT_KEY = "1"
NO_SUMMARY = "A caller asked for a person."


class AgentLeg:
    def __init__(self, voice: VoiceSettings, handoff: HandoffSettings) -> None:
        self.voice = voice
        self.handoff = handoff
        self._rest: TwilioRest | None = None

    @property
    def rest(self) -> TwilioRest:
        if self._rest is None:
            self._rest = TwilioRest(TwilioRestSettings.from_env())
        return self._rest

    @staticmethod
    def _transfer(request: Request) -> tuple[str, str, int]:
        caller = request.args.get("caller", "")
        conference = request.args.get("conference", "")
        try:
            attempt = int(request.args.get("attempt", "0"))
        except ValueError:
            attempt = 0
        if not is_call_sid(caller) or not conference.startswith("handoff-"):
            raise BadRequest("agent request without a caller or conference")
        return caller, conference, attempt

    async def whisper(self, request: Request, assistant: Assistant, agent_call_sid: str) -> str:
        """The agent picked up: say who is calling and ask to accept."""
        caller, conference, attempt = self._transfer(request)
        async with assistant.exclusive(caller):  # the hand-off turn has been saved
            summary = await assistant.read_slot(caller, SLOT_HANDOFF_SUMMARY) or NO_SUMMARY
        action = channel_url(
            self.handoff.channel_base_url,
            "agent_answer",
            caller=caller,
            conference=conference,
            attempt=attempt,
        )
        logger.info("agent leg answered for a transferred call")
        return render_whisper(summary, action, self.voice)

    async def answered(self, request: Request, form: dict[str, Any]) -> str:
        """1 joins the caller's conference; anything else (or nothing) declines."""
        caller, conference, attempt = self._transfer(request)
        if str(form.get("Digits", "")).strip() == ACCEPT_KEY:
            logger.info("agent accepted call %s", caller)
            return render_agent_joins(conference, self.voice)
        logger.info("agent declined call %s", caller)
        await self.next_agent_or_back(caller, conference, attempt)
        goodbye = VoiceResponse()
        goodbye.say("Okay, the caller will be offered a ticket.", voice=self.voice.voice)
        goodbye.hangup()
        return str(goodbye)

    async def status(self, request: Request, form: dict[str, Any]) -> None:
        """Busy, no answer or failed: try the next agent or bring the caller back."""
        if form.get("CallStatus") not in FAILED_STATUSES:
            return
        caller, conference, attempt = self._transfer(request)
        logger.info("agent leg for call %s ended %s", caller, form.get("CallStatus"))
        await self.next_agent_or_back(caller, conference, attempt)

    async def next_agent_or_back(self, caller: str, conference: str, attempt: int) -> None:
        following = attempt + 1
        if following < len(self.handoff.agent_numbers):
            try:
                await ring_agent(
                    self.rest,
                    self.handoff,
                    caller_sid=caller,
                    conference=conference,
                    attempt=following,
                )
                return
            except TelephonyError as error:
                logger.warning("could not ring agent %d: %s", following + 1, error)
        try:
            await self.rest.redirect_call(
                caller, channel_url(self.handoff.channel_base_url, "handoff_failed")
            )
        except TelephonyError as error:
            logger.error("could not bring call %s back from hold: %s", caller, error)
