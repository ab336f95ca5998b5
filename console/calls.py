"""One call as the console sees it, folded from Rasa's events in the order they happened.

Pure functions over the broker's event dicts, so the live page, the history and
the review list all agree on what a call said. Only the last four digits of the
caller's number are ever kept.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from contract import ACTION_FALLBACK

FALLBACK_INTENT = "nlu_fallback"
HUMAN_INTENT = "request_human"
CORRECTION_INTENTS = frozenset({"deny"})
EXTERNAL_PREFIX = "EXTERNAL: "  # Rasa's text for an intent triggered through its API
CALL_FACT_SLOTS = frozenset(
    {"caller_phone", "call_sid", "session_started_metadata", "requested_slot"}
)
OUTCOMES = ("ticket", "transfer", "hung up", "silence")


PHONE_NUMBER = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def mask_numbers_in(text: str) -> str:
    """Every phone-number-like run in ``text`` masked, e.g. inside the agent's whisper."""
    return PHONE_NUMBER.sub(lambda m: mask_number(m.group(0)), text)


def mask_number(number: str) -> str:
    """``+15555550100`` -> ``•••0100``: enough to tell calls apart, not to call back."""
    digits = [c for c in number if c.isdigit()]
    return "•••" + "".join(digits[-4:]) if len(digits) >= 4 else "•••"


@dataclass
class Turn:
    speaker: str  # "caller", "assistant", or "system" (the console stepped in)
    text: str
    at: float
    event_id: int
    intent: str | None = None
    confidence: float | None = None
    predicted: str | None = None  # the best real intent when the turn fell back


@dataclass
class CallState:
    sid: str
    started: float
    last_event_at: float
    caller: str = "•••"
    turns: list[Turn] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    active_form: str | None = None
    requested_slot: str | None = None
    last_intent: str | None = None
    last_confidence: float | None = None
    fallbacks_in_row: int = 0
    fallbacks_before_turn: int = 0
    asked_for_person: bool = False
    transferred: bool = False  # ever handed to a person (the outcome)
    on_hold: bool = False  # waiting for a person right now
    ended_at: float | None = None
    last_caller_at: float | None = None
    version: int = 0

    @property
    def incident(self) -> str | None:
        value = self.slots.get("incident_number") or self.slots.get("handoff_incident")
        return str(value) if value else None

    def flags(self, now: float, silence_seconds: float) -> list[str]:
        found: list[str] = []
        if self.fallbacks_in_row >= 2:
            found.append("repeated misunderstanding")
        quiet_since = self.last_caller_at or self.started
        if self.ended_at is None and now - quiet_since >= silence_seconds:
            found.append("long silence")
        if self.asked_for_person:
            found.append("asked for a person")
        return found

    def outcome(self, silence_seconds: float) -> str:
        if self.transferred:
            return "transfer"
        if self.incident:
            return "ticket"
        end = self.ended_at or self.last_event_at
        if end - (self.last_caller_at or self.started) >= silence_seconds:
            return "silence"
        return "hung up"

    def duration(self) -> float:
        return max(0.0, (self.ended_at or self.last_event_at) - self.started)

    def summary(self, now: float, silence_seconds: float) -> dict[str, Any]:
        """What the live list shows for this call (no transcript)."""
        return {
            "sid": self.sid,
            "caller": self.caller,
            "elapsed": round(now - self.started),
            "form": self.active_form,
            "requested_slot": self.requested_slot,
            "last_intent": self.last_intent,
            "confidence": self.last_confidence,
            "flags": self.flags(now, silence_seconds),
            "incident": self.incident,
            "transferred": self.transferred,
            "on_hold": self.on_hold,
            "ended": self.ended_at is not None,
        }

    def detail(self, now: float, silence_seconds: float) -> dict[str, Any]:
        return {
            **self.summary(now, silence_seconds),
            "turns": [asdict(t) for t in self.turns],
            "slots": shown_slots(self.slots),
        }


def shown_slots(slots: dict[str, Any]) -> dict[str, Any]:
    """Slots worth showing, with phone numbers (as in the whisper) masked."""
    return {
        k: mask_numbers_in(v) if isinstance(v, str) else v
        for k, v in sorted(slots.items())
        if v not in (None, "", []) and k not in CALL_FACT_SLOTS
    }


def new_call(sid: str, at: float) -> CallState:
    return CallState(sid=sid, started=at, last_event_at=at)


def apply(call: CallState, event: dict[str, Any], event_id: int) -> CallState:
    """Folds one broker event into ``call`` (in place) and returns it."""
    kind = event.get("event")
    at = float(event.get("timestamp") or call.last_event_at)
    call.last_event_at = max(call.last_event_at, at)
    call.version += 1
    if kind == "user":
        _caller_turn(call, event, at, event_id)
    elif kind == "bot":
        text = event.get("text") or ""
        custom = (event.get("data") or {}).get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
            call.transferred = call.on_hold = True
        if text:
            call.turns.append(Turn("assistant", text, at, event_id))
    elif kind == "slot":
        name, value = event.get("name"), event.get("value")
        if name == "caller_phone" and isinstance(value, str):
            call.caller = mask_number(value)
        elif name == "requested_slot":
            call.requested_slot = value
        elif isinstance(name, str) and name not in CALL_FACT_SLOTS:
            call.slots[name] = value
    elif kind == "active_loop":
        call.active_form = event.get("name")
        if call.active_form is None:
            call.requested_slot = None
    elif kind == "pause":
        call.ended_at = at
    elif kind == "action" and event.get("name") == ACTION_FALLBACK:
        _fell_back(call)
    return call


def _fell_back(call: CallState) -> None:
    """The assistant's fallback ran for the caller's last turn, whatever NLU guessed."""
    turn = next((t for t in reversed(call.turns) if t.speaker == "caller"), None)
    if turn is None or turn.intent == FALLBACK_INTENT:
        return  # already counted as not understood
    turn.predicted, turn.intent = turn.intent, FALLBACK_INTENT
    call.last_intent = FALLBACK_INTENT
    call.fallbacks_in_row = call.fallbacks_before_turn + 1


def _caller_turn(call: CallState, event: dict[str, Any], at: float, event_id: int) -> None:
    parse = event.get("parse_data") or {}
    if str(event.get("text") or "").startswith(EXTERNAL_PREFIX):
        # Not the caller: the console (or another system) triggered this intent.
        name = (parse.get("intent") or {}).get("name") or ""
        text = "Taken over from the console" if name == HUMAN_INTENT else f"Triggered {name}"
        if name == "handoff_failed":  # the voice channel: no agent took the call
            call.on_hold = False
            text = "No agent took the call: back with the assistant"
        call.turns.append(Turn("system", text, at, event_id))
        return
    intent = (parse.get("intent") or {}).get("name")
    confidence = (parse.get("intent") or {}).get("confidence")
    predicted = intent
    if intent == FALLBACK_INTENT:
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
        if ranking:
            predicted, confidence = ranking[0].get("name"), ranking[0].get("confidence")
    call.turns.append(
        Turn(
            "caller",
            event.get("text") or "",
            at,
            event_id,
            intent=intent,
            confidence=round(float(confidence), 3) if confidence is not None else None,
            predicted=predicted,
        )
    )
    call.last_intent = intent
    call.last_confidence = round(float(confidence), 3) if confidence is not None else None
    call.last_caller_at = at
    call.fallbacks_before_turn = call.fallbacks_in_row
    call.fallbacks_in_row = call.fallbacks_in_row + 1 if intent == FALLBACK_INTENT else 0
    if intent == HUMAN_INTENT:
        call.asked_for_person = True


def review_candidates(call: CallState, low_confidence: float) -> list[dict[str, Any]]:
    """Caller turns worth a person's look: fell back, unsure, or corrected right after."""
    caller_turns = [i for i, t in enumerate(call.turns) if t.speaker == "caller"]
    found: list[dict[str, Any]] = []
    for position, index in enumerate(caller_turns):
        turn = call.turns[index]
        if not turn.text or turn.text.startswith("/"):
            continue  # a key press or a channel payload, not words
        following = (
            call.turns[caller_turns[position + 1]] if position + 1 < len(caller_turns) else None
        )
        if turn.intent == FALLBACK_INTENT:
            reason = "fell back"
        elif turn.confidence is not None and turn.confidence < low_confidence:
            reason = "low confidence"
        elif following is not None and following.intent in CORRECTION_INTENTS:
            reason = "corrected"
        else:
            continue
        before = next(
            (t.text for t in reversed(call.turns[:index]) if t.speaker == "assistant"), ""
        )
        after = next((t.text for t in call.turns[index + 1 :] if t.speaker == "assistant"), "")
        found.append(
            {
                "sid": call.sid,
                "event_id": turn.event_id,
                "text": turn.text,
                "predicted": turn.predicted,
                "confidence": turn.confidence,
                "reason": reason,
                "context": {"before": before, "after": after},
                "at": turn.at,
            }
        )
    return found
