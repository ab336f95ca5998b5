"""Questions whose wording depends on the call so far (email reuse, the summary)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms.email_question import ask_for_email
from actions.ticket import spoken_subject

YES_NO_BUTTONS = [
    {"title": "yes", "payload": "/affirm"},
    {"title": "no", "payload": "/deny"},
]
# Sent from here, not from a domain response: Rasa would try to fill the
# payload's braces as slot placeholders.
PRIORITY_BUTTONS = [
    {"title": level, "payload": f'/inform{{"priority": "{level}"}}'}
    for level in ("high", "medium", "low")
]


class ActionAskPriority(Action):
    """Asks how urgent the problem is, as a spoken menu the keypad can answer."""

    def name(self) -> str:
        return "action_ask_priority"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="How urgent is it?", buttons=PRIORITY_BUTTONS)
        return []


class ActionAskEmail(Action):
    """Asks for the email: the caller's name from caller ID, the same email, or spelling it."""

    def name(self) -> str:
        return "action_ask_email"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return await ask_for_email(dispatcher, tracker)


class ActionAskConfirm(Action):
    """Reads the ticket back before it is opened, or asks what to change."""

    def name(self) -> str:
        return "action_ask_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("awaiting_correction"):
            dispatcher.utter_message(response="utter_ask_correction")
            return []
        subject = spoken_subject(tracker.get_slot("problem_category"))
        description = str(tracker.get_slot("problem_description") or "").rstrip(". ")
        dispatcher.utter_message(
            text=(
                f"Let me check I have it right. {subject[0].upper()}{subject[1:]}, "
                f"{tracker.get_slot('priority')} priority: {description}. "
                f"Your email is {tracker.get_slot('email')}. Shall I open the ticket?"
            ),
            buttons=YES_NO_BUTTONS,
        )
        return []
