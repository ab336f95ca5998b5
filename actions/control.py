"""Conversation control: cancel, say that again, and not understood."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import last_bot_turn
from actions.ticket import TICKET_FORM_SLOTS
from settings import HandoffSettings


class ActionCancelForm(Action):
    """Forgets the answers of the form the caller just left (the rule deactivated it)."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_cancelled")
        return [SlotSet(slot, None) for slot in TICKET_FORM_SLOTS]


class ActionRepeat(Action):
    """Says the previous turn again.

    Inside a form the form itself re-asks its question right after this action,
    so the question (the turn's last message) is left to it.
    """

    def name(self) -> str:
        return "action_repeat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        turn = last_bot_turn(tracker)
        if tracker.active_loop_name:
            turn = turn[:-1]
        elif not turn:
            dispatcher.utter_message(response="utter_how_can_i_help")
        for message in turn:
            data = message.get("data") or {}
            dispatcher.utter_message(text=message.get("text"), buttons=data.get("buttons") or [])
        return []


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the caller's latest messages in a row were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != "nlu_fallback":
            break
        count += 1
    return count


class ActionFallback(Action):
    """Says what the caller can say; after repeated misses, offers a person."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if consecutive_fallbacks(tracker) >= HandoffSettings.from_env().after_fallbacks:
            return [FollowupAction("action_handoff")]
        dispatcher.utter_message(response="utter_default")
        return []
