"""Conversation control: cancel, say that again, start over, and not understood.

"Say that again" and "not understood" revert the caller's utterance, as Rasa's
own default fallback does: the conversation is then exactly where it was
before, so whatever the caller says next is predicted as if the detour never
happened, and no action loop can start from it. Counting misunderstandings in
a row (and transferring the caller) belongs to the voice channel.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import last_bot_turn
from actions.ticket import TICKET_FORM_SLOTS

# What a caller can say to each of the form's questions, when they were not understood.
ANSWER_HINTS = {
    "problem_description": "Just tell me in a few words what's going wrong.",
    "priority": "You can say high, medium, or low, or press 1, 2, or 3.",
    "email": "Say it like j p k at example dot com.",
    "confirm": "Please say yes or no.",
}
TOP_LEVEL_HINT = "You can say open a ticket, check my ticket, or agent."
NOT_UNDERSTOOD = "Sorry, I didn't quite get that."
# Slots that outlive a "start over": the call's facts and who the caller is.
KEPT_ON_START_OVER = (
    "call_sid",
    "caller_phone",
    "known_email",
    "caller_sys_ids",
    "ticket_requests",
)


def _say_again(
    dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Says ``messages`` again and forgets the caller's utterance, as if it never came."""
    for message in messages:
        data = message.get("data") or {}
        dispatcher.utter_message(text=message.get("text"), buttons=data.get("buttons") or [])
    return [UserUtteranceReverted()]


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
    """Says the previous turn again, then forgets that the caller asked."""

    def name(self) -> str:
        return "action_repeat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        turn = last_bot_turn(tracker)
        if not turn:
            dispatcher.utter_message(response="utter_how_can_i_help")
        return _say_again(dispatcher, turn)


class ActionFallback(Action):
    """One short apology, then the open question again with a hint of valid answers."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = last_bot_turn(tracker)[-1:]
        slot = tracker.get_slot("requested_slot") if tracker.active_loop_name else None
        hint = ANSWER_HINTS.get(slot or "", TOP_LEVEL_HINT)
        said = " ".join(str(m.get("text") or "") for m in question)
        if hint in said:
            hint = ""
        dispatcher.utter_message(text=" ".join(filter(None, [NOT_UNDERSTOOD, hint])))
        return _say_again(
            dispatcher, [m for m in question if NOT_UNDERSTOOD not in str(m.get("text"))]
        )


class ActionStartOver(Action):
    """A fresh start in the same call: forms and answers go, the caller's identity stays."""

    def name(self) -> str:
        return "action_start_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        kept = {slot: tracker.get_slot(slot) for slot in KEPT_ON_START_OVER}
        dispatcher.utter_message(response="utter_start_over")
        return [
            ActiveLoop(None),
            AllSlotsReset(),
            *(SlotSet(slot, value) for slot, value in kept.items() if value is not None),
        ]
