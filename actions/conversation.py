"""Small helpers for reading a rasa-sdk tracker the way our actions need it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

# Intents that must never be taken as the answer to a form question: the form
# rejects them so the digression rules (help, repeat, cancel, agent ...) run.
DIGRESSION_INTENTS = frozenset(
    {"help", "repeat", "cancel", "request_human", "bot_challenge", "goodbye", "greet", "thank"}
)


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


def answer_to(tracker: Tracker, slot: str) -> str | None:
    """The caller's latest words if they answer the question for ``slot``.

    ``None`` when the form is asking for another slot or the caller digressed,
    so the form rejects and the rules for the digression take over.
    """
    if tracker.get_slot("requested_slot") != slot:
        return None
    if latest_intent(tracker) in DIGRESSION_INTENTS:
        return None
    return latest_text(tracker)


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
