"""The hand-off lifecycle, in the Rasa process: the only code that rings agents.

``start`` creates the record and rings the first agent; Twilio then reports
the agent's call to the voice channel, which passes each report here:
``agent_answered`` (whisper the summary), ``agent_decided`` (1 joins the
caller's conference, anything else declines) and ``agent_status`` (busy, no
answer, failed, or hung up during the whisper). Whoever does not take the call
hands it to the next agent; after the last one, the caller is redirected to
the channel's ``back_from_hold`` route and the assistant offers a ticket. Each
step moves the record with a compare-and-set, so a report Twilio sends twice,
or to two replicas, acts once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from channels.urls import channel_url
from contract import OUTCOME_NO_AGENT, OUTCOME_UNREACHABLE
from handoff.record import LIVE, Handoff, Stage
from handoff.request import HandoffRequest
from handoff.twiml import (
    ACCEPT_KEY,
    render_agent_goodbye,
    render_agent_joins,
    render_ring,
    render_whisper,
)
from settings import HandoffSettings, SettingsError, VoiceSettings
from stores.database import StoreUnreachable
from stores.handoffs import HandoffStore
from telephony.twilio_rest import TelephonyError, TwilioRest

logger = logging.getLogger(__name__)

NOT_ANSWERED = frozenset({"busy", "no-answer", "failed", "canceled"})
HUNG_UP = "completed"
NEXT_AGENT = "Okay, another agent will be asked."
TICKET_INSTEAD = "Okay, the caller will be offered a ticket."
NO_LONGER_WAITING = "This caller is no longer waiting. Goodbye."
BACK_ROUTE = "back_from_hold"


class Switchboard:
    """Rings agents for hand-offs and brings callers back; one record per hand-off."""

    def __init__(
        self,
        settings: HandoffSettings,
        voice: VoiceSettings,
        store: Callable[[], HandoffStore],
        rest: Callable[[], TwilioRest],
    ) -> None:
        """``store`` and ``rest`` are built on first use: a call that never asks for a
        person needs neither the hand-off table nor a Twilio account."""
        self.settings = settings
        self.voice = voice
        self._store = store
        self._rest = rest

    @property
    def store(self) -> HandoffStore:
        return self._store()

    # -- the caller's side ----------------------------------------------------

    async def start(self, caller_sid: str, request: HandoffRequest) -> Handoff | None:
        """Rings the first agent; the record, or None when no agent could be rung."""
        agents = request.agents or self.settings.agent_numbers
        if not agents:
            logger.warning("a hand-off was asked for with no agent to ring")
            return None
        record = Handoff.new(caller_sid, request.summary, agents)
        try:
            await self.store.create(record)
        except (SQLAlchemyError, StoreUnreachable) as error:
            logger.warning("could not store a hand-off: %s", type(error).__name__)
            return None
        try:
            await self._ring(record)
        except TelephonyError as error:
            logger.warning("could not ring an agent: %s", error)
            await self.store.advance(record, record.returned(OUTCOME_UNREACHABLE))
            return None
        logger.info("hand-off %s: ringing agent 1 of %d", record.id, len(agents))
        return record

    async def holding(self, caller_sid: str) -> Handoff | None:
        """The hand-off the caller is on hold for (or talking in), if any."""
        return await self.store.live_for(caller_sid)

    async def outcome(self, handoff_id: str) -> str:
        """Why the caller is back (the record's outcome; nobody took it, when unknown)."""
        record = await self.store.get(handoff_id) if handoff_id else None
        return (record.outcome if record else None) or OUTCOME_NO_AGENT

    async def caller_left(self, caller_sid: str) -> None:
        """The caller hung up: an agent who answers now is told and let go."""
        record = await self.store.live_for(caller_sid)
        if record is not None and record.stage in LIVE:
            await self.store.advance(record, record.returned())

    async def send_caller(self, caller_sid: str, route: str) -> None:
        """Makes the caller's live call fetch its TwiML from the channel's ``route``."""
        await self._client().redirect_call(
            caller_sid, channel_url(self.settings.channel_base_url, route, call_sid=caller_sid)
        )

    # -- the agent's side (Twilio's reports about the agent's call) ------------

    async def agent_answered(self, handoff_id: str, attempt: int) -> str:
        """The agent picked up: the whisper, or goodbye if the caller no longer waits."""
        record = await self.store.get(handoff_id)
        if record is None or not record.is_at(attempt, *LIVE):
            return render_agent_goodbye(NO_LONGER_WAITING, self.voice)
        if record.stage is Stage.RINGING:
            offered = await self.store.advance(record, record.moved(Stage.OFFERED))
            if offered is None:  # a late or repeated report: read what won
                return await self.agent_answered(handoff_id, attempt)
        decided = self._url("agent_decided", record)
        return render_whisper(record.summary, decided, self.voice)

    async def agent_decided(self, handoff_id: str, attempt: int, digits: str) -> str:
        """1 joins the caller's conference; any other key, or none, declines."""
        record = await self.store.get(handoff_id)
        if record is not None and record.is_at(attempt, Stage.CONNECTED):
            return render_agent_joins(record.conference, self.voice)  # a repeated report
        if record is None or not record.is_at(attempt, Stage.OFFERED):
            return render_agent_goodbye(NO_LONGER_WAITING, self.voice)
        if digits.strip() == ACCEPT_KEY:
            if await self.store.advance(record, record.moved(Stage.CONNECTED)):
                logger.info("hand-off %s: agent %d accepted", record.id, attempt + 1)
                return render_agent_joins(record.conference, self.voice)
            return render_agent_goodbye(NO_LONGER_WAITING, self.voice)
        logger.info("hand-off %s: agent %d declined", record.id, attempt + 1)
        asked_next = record.has_next_agent
        await self._pass_on(record)
        return render_agent_goodbye(NEXT_AGENT if asked_next else TICKET_INSTEAD, self.voice)

    async def agent_status(self, handoff_id: str, attempt: int, status: str) -> None:
        """No answer, busy or failed (or a hang-up during the whisper): pass the call on."""
        record = await self.store.get(handoff_id)
        if record is None:
            return
        ringing_ended = status in NOT_ANSWERED and record.is_at(attempt, *LIVE)
        left_whisper = status == HUNG_UP and record.is_at(attempt, Stage.OFFERED)
        if ringing_ended or left_whisper:
            logger.info("hand-off %s: agent %d's call ended %s", record.id, attempt + 1, status)
            await self._pass_on(record)

    # -- internals --------------------------------------------------------------

    async def _pass_on(self, record: Handoff) -> None:
        """Rings the next agent, or brings the caller back when none is left (or reachable)."""
        outcome = OUTCOME_NO_AGENT
        if record.has_next_agent:
            following = await self.store.advance(record, record.ringing_next())
            if following is None:
                return  # another report already passed it on
            try:
                await self._ring(following)
                return
            except TelephonyError as error:
                logger.warning("could not ring agent %d: %s", following.attempt + 1, error)
                record, outcome = following, OUTCOME_UNREACHABLE
        back = await self.store.advance(record, record.returned(outcome))
        if back is None:
            return
        try:
            await self._client().redirect_call(record.caller_sid, self._url(BACK_ROUTE, back))
        except TelephonyError as error:
            logger.error("hand-off %s: could not bring the caller back: %s", record.id, error)

    async def _ring(self, record: Handoff) -> None:
        await self._client().place_call(
            to=record.agent,
            from_=self.settings.support_number,
            twiml=render_ring(self._url("agent_answered", record)),
            status_callback=self._url("agent_status", record),
            timeout_seconds=self.settings.ring_timeout_seconds,
        )

    def _url(self, route: str, record: Handoff) -> str:
        """A channel URL naming the record and the attempt; the agent's URLs say nothing
        about the caller, and the caller's way back names the call's tag (its replica)."""
        if route == BACK_ROUTE:
            return channel_url(
                self.settings.channel_base_url, route, call_sid=record.caller_sid, handoff=record.id
            )
        query = {"handoff": record.id, "attempt": record.attempt}
        return channel_url(self.settings.channel_base_url, route, **query)

    def _client(self) -> TwilioRest:
        try:
            return self._rest()
        except SettingsError as error:  # no Twilio account configured: nobody can be rung
            raise TelephonyError(str(error)) from None
