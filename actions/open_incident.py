"""Files the ticket once the caller confirmed it, and says its number."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clients
from actions.api.servicenow import ServiceNowError
from actions.ticket import TICKET_FORM_SLOTS, full_description, short_description

logger = logging.getLogger(__name__)


class ActionOpenIncident(Action):
    def name(self) -> str:
        return "action_open_incident"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("confirm") is not True:
            # The form stopped early (ServiceNow was down): the caller already
            # heard why, and the answers are kept for another try.
            return []
        accounts = tracker.get_slot("caller_sys_ids") or []
        description = str(tracker.get_slot("problem_description"))
        try:
            incident = await clients.servicenow().create_incident(
                short_description=short_description(
                    tracker.get_slot("problem_category"), description
                ),
                description=full_description(
                    description,
                    email=tracker.get_slot("email"),
                    caller_phone=tracker.get_slot("caller_phone"),
                    matched_accounts=accounts,
                ),
                caller_sys_id=accounts[0] if len(accounts) == 1 else None,
                priority=str(tracker.get_slot("priority")),
            )
        except ServiceNowError as error:
            logger.warning("creating the incident failed: %s", error)
            dispatcher.utter_message(
                text="Sorry, I couldn't reach the ticket system, so your ticket isn't open yet. "
                "I've kept what you told me. Say open a ticket to try again in a minute, "
                "or say agent to talk to a person."
            )
            return [SlotSet("confirm", None), SlotSet("servicenow_unavailable", True)]
        dispatcher.utter_message(
            text=f"Done. Your ticket number is {incident.number}, "
            f"with {tracker.get_slot('priority')} priority. "
            "The service desk will follow up by email. "
            "Is there anything else I can help with?"
        )
        return [
            SlotSet("incident_number", incident.number),
            SlotSet("servicenow_unavailable", False),
            *(SlotSet(slot, None) for slot in TICKET_FORM_SLOTS),
        ]
