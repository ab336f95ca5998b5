"""Validation of the ticket form: problem, priority, email, confirmation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.conversation import answer_to, extracts_answer, latest_entity, latest_intent
from actions.forms.corrections import parse_correction
from actions.forms.email_question import EmailQuestion, look_up_caller
from servicenow.client import PRIORITY_TO_URGENCY_IMPACT
from speech.priority import parse_priority

# Answers too thin to be a problem description.
_NOT_A_DESCRIPTION = {"yes", "no", "yeah", "yep", "nope", "ok", "okay", "sure", "um", "uh"}
_NUMBER_TO_PRIORITY = {1: "high", 2: "medium", 3: "low"}


class ValidateOpenIncidentForm(EmailQuestion, FormValidationAction):
    def name(self) -> str:
        return "validate_open_incident_form"

    extract_problem_description = extracts_answer("problem_description")

    def validate_problem_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not text or text.lower().strip(" .!?") in _NOT_A_DESCRIPTION or text.startswith("/"):
            dispatcher.utter_message(text="Could you tell me in a few words what's going wrong?")
            return {"problem_description": None}
        return {"problem_description": text}

    async def extract_priority(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = answer_to(tracker, "priority")
        if answer is None:
            return {}
        return {"priority": latest_entity(tracker, "priority") or answer}

    def validate_priority(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip().lower()
        level = text if text in PRIORITY_TO_URGENCY_IMPACT else parse_priority(text)
        number = latest_entity(tracker, "number")
        if level is None and isinstance(number, (int, float)):
            level = _NUMBER_TO_PRIORITY.get(int(number))
        if level is None:
            dispatcher.utter_message(
                text="Sorry, was that high, medium, or low? You can also press 1, 2, or 3."
            )
        return {"priority": level}

    extract_confirm = extracts_answer("confirm")

    async def validate_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        awaiting = bool(tracker.get_slot("awaiting_correction"))
        correction = parse_correction(str(value or ""))
        if correction:
            changes: dict[str, Any] = {"confirm": None, "awaiting_correction": False}
            changes.update(dict.fromkeys(correction.ask_again))
            if "email" in correction.ask_again:
                changes["email_reuse_declined"] = True
            if correction.problem_description:
                changes["problem_description"] = correction.problem_description
            if correction.priority:
                changes["priority"] = correction.priority
            if correction.email:
                changes.update(await look_up_caller(correction.email, dispatcher))
            return changes
        intent = latest_intent(tracker)
        if intent == "affirm" and not awaiting:
            return {"confirm": True, "awaiting_correction": False}
        if intent == "deny":
            # "No" to the summary asks what to change; "no" to that reads it again.
            return {"confirm": None, "awaiting_correction": not awaiting}
        if not awaiting:
            dispatcher.utter_message(text="Sorry, I didn't catch that.")
        return {"confirm": None, "awaiting_correction": awaiting}
