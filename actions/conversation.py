"""Small helpers for reading a rasa-sdk tracker the way our actions need it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# Intents that must never be taken as the answer to a form question: the form
# rejects them so the digression rules (help, repeat, cancel, agent ...) run.
DIGRESSION_INTENTS = frozenset(
    {
        "help",
        "repeat",
        "start_over",
        "cancel",
        "request_human",
        "bot_challenge",
        "goodbye",
        "greet",
        "thank",
    }
)


SMALL_TALK = frozenset({"greet", "thank"})
SHORT_MESSAGE_WORDS = 4
CONFIDENT_DIGRESSION = 0.9


def latest_intent(tracker: Tracker) -> str | None:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name")


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def latest_entity(tracker: Tracker, entity: str) -> Any:
    """The value of the first entity of that type in the latest message, if any."""
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == entity:
            return found.get("value")
    return None


def is_digression(tracker: Tracker) -> bool:
    """True when the latest message steps out of the form's question.

    An answer can sound like a digression ("i dropped it this morning" scores
    as a greeting), so a long message needs a confident digression intent, and
    small talk ("hello?", "thanks") is only ever short.
    """
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    if name not in DIGRESSION_INTENTS:
        return False
    short = len(latest_text(tracker).split()) <= SHORT_MESSAGE_WORDS
    if name in SMALL_TALK:
        return short
    return short or float(intent.get("confidence") or 0.0) >= CONFIDENT_DIGRESSION


def answer_to(tracker: Tracker, slot: str) -> str | None:
    """The caller's latest words if they answer the question for ``slot``.

    ``None`` when the form is asking for another slot or the caller digressed,
    so the form rejects and the rules for the digression take over.
    """
    if tracker.get_slot("requested_slot") != slot or is_digression(tracker):
        return None
    return latest_text(tracker)


def answer_slot(tracker: Tracker, slot: str) -> dict[str, Any]:
    """``{slot: the caller's words}`` when the form asked for ``slot``, or ``{}``.

    The raw words go to ``validate_<slot>``, which parses them and may also
    change other slots.
    """
    answer = answer_to(tracker, slot)
    return {} if answer is None else {slot: answer}


def extracts_answer(slot: str) -> Callable[..., Awaitable[dict[str, Any]]]:
    """A form's ``extract_<slot>`` method: :func:`answer_slot` for ``slot``.

    rasa-sdk looks these methods up by name, so each form states which of its
    slots take the caller's words as they are.
    """

    async def extract(
        _form: object, _dispatcher: CollectingDispatcher, tracker: Tracker, _domain: DomainDict
    ) -> dict[str, Any]:
        return answer_slot(tracker, slot)

    return extract


def last_bot_turn(tracker: Tracker) -> list[dict[str, Any]]:
    """Bot messages of the turn before the caller's latest message, in order."""
    events = list(tracker.events)
    # Skip past the latest user message (the one asking us to repeat).
    index = len(events) - 1
    while index >= 0 and events[index].get("event") != "user":
        index -= 1
    index -= 1
    turn: list[dict[str, Any]] = []
    while index >= 0 and events[index].get("event") != "user":
        event = events[index]
        if event.get("event") == "bot":
            turn.append(event)
        index -= 1
    turn.reverse()
    return turn
