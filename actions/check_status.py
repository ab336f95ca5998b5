"""Reads the caller's latest tickets aloud: open ones first, newest first."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clients
from servicenow.client import Incident, ServiceNowError

logger = logging.getLogger(__name__)
TICKETS_READ_ALOUD = 3


SUBJECT_WORDS = 6


def short_subject(text: str) -> str:
    """The ticket's subject in a few words (the caller knows what they reported)."""
    words = text.rstrip(". ").split()
    subject = " ".join(words[:SUBJECT_WORDS])
    return subject if len(words) <= SUBJECT_WORDS else f"{subject}..."


def opened_ago(opened_at: datetime, now: datetime) -> str:
    """``opened today``, ``opened yesterday``, ``opened 3 days ago``, ``opened in March``."""
    days = (now.date() - opened_at.date()).days
    if days <= 0:
        return "opened today"
    if days == 1:
        return "opened yesterday"
    if days < 45:
        return f"opened {days} days ago"
    return f"opened in {opened_at.strftime('%B %Y')}"


def describe(incident: Incident, now: datetime) -> str:
    """One ticket in about fifteen words: number, subject, state, age."""
    subject = short_subject(incident.short_description) or "no subject"
    state = incident.state.lower()
    return f"{incident.number}, {subject}: {state}, {opened_ago(incident.opened_at, now)}."


def status_report(incidents: list[Incident], now: datetime | None = None) -> str:
    """What the caller hears about their tickets: at most three, open ones first."""
    now = now or datetime.now(timezone.utc)
    if not incidents:
        return (
            "I don't see any tickets for that email. "
            "If something's wrong, just tell me and I'll open one."
        )
    open_ones = [incident for incident in incidents if incident.active]
    if not open_ones:
        return f"You have no open tickets. The latest was {describe(incidents[0], now)}"
    said = open_ones[:TICKETS_READ_ALOUD]
    count = "one open ticket" if len(open_ones) == 1 else f"{len(open_ones)} open tickets"
    intro = f"You have {count}."
    return " ".join([intro, *(describe(incident, now) for incident in said)])


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        accounts = tracker.get_slot("caller_sys_ids") or []
        if not tracker.get_slot("email") or not accounts:
            return []  # the form stopped early; the caller already heard why
        try:
            incidents = await clients.servicenow().incidents_for_callers(
                accounts, limit=TICKETS_READ_ALOUD
            )
        except ServiceNowError as error:
            logger.warning("listing incidents failed: %s", error)
            dispatcher.utter_message(response="utter_servicenow_down")
            return [SlotSet("email", None)]
        dispatcher.utter_message(
            text=f"{status_report(incidents)} Is there anything else I can help with?"
        )
        return [SlotSet("email", None), SlotSet("email_reuse_declined", None)]
