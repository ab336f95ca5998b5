"""Reads the caller's latest tickets aloud: open ones first, newest first."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clients
from actions.api.servicenow import Incident, ServiceNowError

logger = logging.getLogger(__name__)
TICKETS_READ_ALOUD = 3


def describe(incident: Incident) -> str:
    """One ticket as a spoken sentence."""
    subject = incident.short_description.rstrip(". ") or "no subject"
    return (
        f"Ticket {incident.number}, {subject}, is {incident.state}. "
        f"It was opened {incident.opened_at.date().isoformat()}."
    )


def status_report(incidents: list[Incident]) -> str:
    """What the caller hears about their tickets."""
    if not incidents:
        return (
            "I don't see any tickets for that email. "
            "If something's wrong, just tell me and I'll open one."
        )
    open_count = sum(1 for incident in incidents if incident.active)
    if open_count == 0:
        intro = "You have no open tickets. Here's your most recent one."
        incidents = incidents[:1]
    elif open_count == 1:
        intro = "You have one open ticket."
        incidents = incidents[:1]
    else:
        intro = f"Here are your {min(open_count, TICKETS_READ_ALOUD)} most recent open tickets."
        incidents = [incident for incident in incidents if incident.active]
    return " ".join([intro, *(describe(incident) for incident in incidents)])


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
