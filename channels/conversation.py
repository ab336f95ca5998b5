"""What the caller hears next: the channel's decisions, with no Rasa and no HTTP.

Each method takes a call and what Twilio reported, asks the assistant
(``channels.turn.Assistant``) for a turn when there is something to say to it,
and returns TwiML. Misunderstandings and silences are counted here and only
here: the counts travel in the ``<Gather action>`` URL, which Twilio signs, so
any replica can continue the call. A turn the assistant could not finish is
never hidden behind a filler: the caller hears one apology and the question
that is still open. A turn that asks for a person is handed to the hand-off
(``handoff.switchboard``): the caller holds in its conference, or hears the
assistant's offer when no agent could be rung.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from channels.call import CallFacts
from channels.hints import hints_for
from channels.menus import HUMAN_KEY, HUMAN_PAYLOAD, payload_for_keys
from channels.turn import Assistant, AssistantUnavailable, Turn
from channels.twiml import Hold, Listen, render_goodbye, render_turn
from channels.urls import call_tag
from contract import OUTCOME_UNREACHABLE
from handoff.record import Handoff
from handoff.request import HandoffRequest, back_command, take_over_command
from settings import HandoffSettings, VoiceSettings

logger = logging.getLogger(__name__)

NOT_HEARD = "Sorry, I didn't catch that."
NO_SUCH_KEY = "Sorry, that key doesn't do anything here."
STILL_THERE = "Are you still there?"
WENT_WRONG = "Sorry, something went wrong on my side."
STILL_NOT_UNDERSTOOD = "Sorry, I'm still having trouble understanding."
OPEN_QUESTION = "What can I help you with?"
SILENT_GOODBYE = (
    "I haven't heard anything, so I'll end the call now. Please call back any time. Goodbye."
)


@dataclass(frozen=True)
class Counters:
    """What the Gather URL carries: the turn's number (so a retried request is
    told apart from a new answer that happens to be the same), and the
    misunderstood and silent turns in a row."""

    turn: int = 0
    misses: int = 0
    silences: int = 0

    def next(self, misses: int = 0, silences: int = 0) -> Counters:
        return Counters(self.turn + 1, misses, silences)

    def query(self) -> dict[str, int]:
        pairs = (("turn", self.turn), ("misses", self.misses), ("silences", self.silences))
        return {name: value for name, value in pairs if value}

    @classmethod
    def from_query(cls, args: dict[str, str]) -> Counters:
        def number(name: str) -> int:
            raw = str(args.get(name) or "0")
            return min(int(raw), 1_000_000) if raw.isdigit() else 0

        return cls(number("turn"), number("misses"), number("silences"))


def words_of(speech: str, limit: int, call_sid: str) -> str:
    """What the caller said, as words for NLU: bounded and never a command."""
    words = " ".join(speech.split())
    if len(words) > limit:
        logger.warning(
            "call %s: speech of %d characters cut to %d", call_tag(call_sid), len(words), limit
        )
        words = words[:limit]
    return words.lstrip("/ ")


class Handoffs(Protocol):
    """What the conversation needs from the hand-off (``handoff.switchboard.Switchboard``)."""

    async def start(self, caller_sid: str, request: HandoffRequest) -> Handoff | None:
        """Rings the first agent; None when nobody could be rung."""

    async def holding(self, caller_sid: str) -> Handoff | None: ...


@dataclass(frozen=True)
class TakeOver:
    """What a take-over did: the assistant's words to the caller, and whether a phone rings."""

    said: list[str] = field(default_factory=list)
    ringing: bool = False


class VoiceConversation:
    """Turns Twilio's reports about a call into the next TwiML."""

    def __init__(
        self,
        assistant: Assistant,
        voice: VoiceSettings,
        handoff: HandoffSettings,
        gather_url: Callable[[Counters], str],
        handoffs: Handoffs,
    ) -> None:
        self.assistant = assistant
        self.voice = voice
        self.handoff = handoff
        self.gather_url = gather_url
        self.handoffs = handoffs

    async def start(self, call: CallFacts) -> str:
        turn = await self.assistant.start_call(call.sid, call.metadata)
        return self.render(turn.messages, turn, Counters().next())

    async def answer(self, call: CallFacts, counters: Counters) -> str:
        """The caller's answer to a ``<Gather>``: words, a key, or nothing."""
        started = time.monotonic()
        speech = call.form.get("SpeechResult", "").strip()
        digits = call.form.get("Digits", "").strip()
        if digits:
            last = await self.assistant.last_turn(call.sid)
            number = digits.strip("#* ")
            if last.keypad and number.isdigit() and number != HUMAN_KEY:
                turn = await self.assistant.hear(call.sid, number, call.metadata)
                return await self._after(call, turn, counters, started)
            payload = payload_for_keys(digits, last.buttons)
            if payload is None:
                return await self._missed(call, NO_SUCH_KEY, last, counters)
            turn = await self.assistant.command(call.sid, payload, call.metadata)
        elif speech:
            if _confidence(call) < self.voice.confidence_threshold:
                last = await self.assistant.last_turn(call.sid)
                return await self._missed(call, NOT_HEARD, last, counters)
            words = words_of(speech, self.voice.max_speech_chars, call.sid)
            turn = await self.assistant.hear(call.sid, words, call.metadata)
        else:
            return await self._silent(call, counters)
        return await self._after(call, turn, counters, started)

    async def back_from_hold(self, call: CallFacts, counters: Counters, outcome: str) -> str:
        """No agent took the call (``outcome`` says why): the conversation goes on."""
        started = time.monotonic()
        turn = await self.assistant.command(call.sid, back_command(outcome), call.metadata)
        return await self._after(call, turn, counters, started)

    async def take_over(self, call_sid: str, agent_number: str) -> TakeOver:
        """An operator asks for the call: the assistant hands it to their phone only.

        The caller's live call is still in its ``<Gather>``; the caller of this
        method redirects it to ``pending`` once the turn is saved, to hear it.
        """
        turn = await self.assistant.command(call_sid, take_over_command(agent_number), {})
        if turn.failed:
            return TakeOver()
        request = HandoffRequest.from_messages(turn.messages)
        if request is None:  # the assistant said why not (closed, no phone call)
            return TakeOver(said=_texts(turn.messages))
        if await self.handoffs.start(call_sid, request):
            return TakeOver(said=_texts(turn.messages), ringing=True)
        back = await self.assistant.command(call_sid, back_command(OUTCOME_UNREACHABLE), {})
        return TakeOver(said=_texts(back.messages))

    async def replay(self, call: CallFacts, counters: Counters) -> str:
        """Says the last turn again (Twilio was redirected here mid-call).

        The redirect carries no turn number, so the next one is drawn at random:
        the caller's next answer must never look like a retry of an earlier one.
        """
        last = await self.assistant.last_turn(call.sid)
        fresh = counters if counters.turn else Counters(turn=secrets.randbelow(10**9))
        hold = None
        if HandoffRequest.from_messages(last.messages):  # taken over: hold for the operator
            live = await self.handoffs.holding(call.sid)
            hold = self._hold(live) if live else None
        return self.render(last.messages or [{"text": OPEN_QUESTION}], last, fresh.next(), hold)

    async def apologise(self, call: CallFacts, lead: str, counters: Counters) -> str:
        """``lead`` and the open question, when the turn itself could not run."""
        try:
            last = await self.assistant.last_turn(call.sid)
        except AssistantUnavailable:  # the store may be what failed
            last = Turn()
        return self._apologise(lead, last, counters.next(counters.misses, counters.silences))

    # -- decisions ------------------------------------------------------------

    async def _after(self, call: CallFacts, turn: Turn, counters: Counters, started: float) -> str:
        log_turn(call.sid, turn, started)
        if turn.failed:
            # Rasa could not finish the turn; nothing of it was kept.
            last = await self.assistant.last_turn(call.sid)
            return self._apologise(WENT_WRONG, last, counters.next(counters.misses + 1))
        if turn.understood:
            return await self._deliver(call, turn, counters.next())
        misses = counters.misses + 1
        if self._transfer_due(misses):
            return await self._transfer(call, counters)
        return self.render(turn.messages, turn, counters.next(misses))

    async def _deliver(
        self, call: CallFacts, turn: Turn, counters: Counters, lead: tuple[str, ...] = ()
    ) -> str:
        """The turn's TwiML; a turn that asks for a person starts the hand-off first."""
        said = [{"text": text} for text in lead]
        request = HandoffRequest.from_messages(turn.messages)
        if request is None:
            return self.render([*said, *turn.messages], turn, counters)
        started = await self.handoffs.start(call.sid, request)
        if started is not None:
            return self.render([*said, *turn.messages], turn, counters, self._hold(started))
        # Nobody could be rung: the assistant says so and offers a ticket instead.
        unreachable = back_command(OUTCOME_UNREACHABLE)
        back = await self.assistant.command(call.sid, unreachable, call.metadata)
        if back.failed:
            last = await self.assistant.last_turn(call.sid)
            return self._apologise(WENT_WRONG, last, counters)
        return self.render([*said, *back.messages], back, counters)

    async def _missed(self, call: CallFacts, lead: str, last: Turn, counters: Counters) -> str:
        misses = counters.misses + 1
        if self._transfer_due(misses):
            return await self._transfer(call, counters)
        return self._apologise(lead, last, counters.next(misses))

    async def _silent(self, call: CallFacts, counters: Counters) -> str:
        silences = counters.silences + 1
        transfer_after = self.handoff.after_silences
        if transfer_after and self.handoff.agent_numbers and silences >= transfer_after:
            return await self._transfer(call, counters)
        if silences >= self.voice.max_silences:
            return render_goodbye(SILENT_GOODBYE, self.voice)
        last = await self.assistant.last_turn(call.sid)
        return self._apologise(STILL_THERE, last, counters.next(counters.misses, silences))

    def _transfer_due(self, misses: int) -> bool:
        return 0 < self.handoff.after_fallbacks <= misses

    async def _transfer(self, call: CallFacts, counters: Counters) -> str:
        """Too many misses: a person, or an offer when none can be rung (the action decides)."""
        started = time.monotonic()
        turn = await self.assistant.command(call.sid, HUMAN_PAYLOAD, call.metadata)
        log_turn(call.sid, turn, started)
        if turn.failed:
            last = await self.assistant.last_turn(call.sid)
            return self._apologise(WENT_WRONG, last, counters.next())
        return await self._deliver(call, turn, counters.next(), lead=(STILL_NOT_UNDERSTOOD,))

    def _apologise(self, lead: str, last: Turn, counters: Counters) -> str:
        question = last.question or [{"text": OPEN_QUESTION}]
        return self.render([{"text": lead}, *question], last, counters)

    def render(
        self, messages: list[dict], turn: Turn, counters: Counters, hold: Hold | None = None
    ) -> str:
        listen = Listen(
            action_url=self.gather_url(counters),
            hints=hints_for(turn.requested_slot, turn.buttons),
            keypad=Turn(messages=messages).keypad,
        )
        return render_turn(messages, self.voice, listen, hold)

    def _hold(self, handoff: Handoff) -> Hold:
        return Hold(handoff.conference, self.handoff.hold_music_url)


def log_turn(call_sid: str, turn: Turn, started: float) -> None:
    """One line per turn for operators: no numbers, no emails, no words."""
    confidence = f"{turn.confidence:.2f}" if turn.confidence is not None else "-"
    logger.info(
        "turn call=%s intent=%s confidence=%s actions=%s latency_ms=%d understood=%s failed=%s",
        call_tag(call_sid),
        turn.intent or "-",
        confidence,
        ",".join(turn.actions) or "-",
        (time.monotonic() - started) * 1000,
        turn.understood,
        turn.failed,
    )


def _texts(messages: list[dict[str, Any]]) -> list[str]:
    return [str(m["text"]) for m in messages if m.get("text")]


def _confidence(call: CallFacts) -> float:
    """Twilio's recognition confidence; a missing or odd value counts as sure."""
    try:
        return float(call.form.get("Confidence") or 1.0)
    except ValueError:
        return 1.0
