"""Hand-off to a person: the action decides, the voice channel places the calls.

``action_handoff`` checks that someone can be rung now (an agent list, business
hours, a phone call), puts the transcript in ServiceNow (a work note on the
call's incident, or a new one) and ends with a ``HandoffRequest``: the summary
the agent hears first, and the one phone to ring when the console takes the
call over. The voice channel (handoff.switchboard, in the Rasa process) rings,
whispers and connects; when nobody takes the call it sends ``handoff_failed``
with an outcome, and ``action_handoff_failed`` offers a ticket with everything
said so far. The action server needs no Twilio account.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clients
from actions.ask_questions import YES_NO_BUTTONS
from actions.handoff_summary import summary, work_note
from actions.ticket import CATEGORY_SUBJECTS
from contract import ENTITY_AGENT_NUMBER, ENTITY_HANDOFF_OUTCOME, OUTCOME_UNREACHABLE
from handoff.business_hours import describe as describe_hours
from handoff.business_hours import is_open
from handoff.request import HandoffRequest
from servicenow.client import ServiceNowError
from telephony.ids import is_call_sid

logger = logging.getLogger(__name__)
TICKET_OFFER = (
    "I can open a ticket with what you've told me, and someone will call you back. Shall I do that?"
)


def offer_ticket(dispatcher: CollectingDispatcher, reason: str) -> None:
    dispatcher.utter_message(text=f"{reason} {TICKET_OFFER}", buttons=YES_NO_BUTTONS)


async def record_transcript(tracker: Tracker) -> str | None:
    """Puts the call so far in ServiceNow; returns the incident's number."""
    servicenow = clients.servicenow()
    note = work_note(tracker)
    try:
        number = tracker.get_slot("incident_number")
        incident = await servicenow.get_incident(number) if number else None
        if incident is not None:
            await servicenow.add_work_note(incident.sys_id, note)
            return incident.number
        accounts = tracker.get_slot("caller_sys_ids") or []
        subject = CATEGORY_SUBJECTS.get(tracker.get_slot("problem_category") or "", "phone call")
        created = await servicenow.create_incident(
            short_description=f"Transferred to an agent: {subject}",
            description=note,
            caller_sys_id=accounts[0] if len(accounts) == 1 else None,
            priority=tracker.get_slot("priority") or "medium",
        )
        return created.number
    except ServiceNowError as error:
        logger.warning("could not store the transcript before a hand-off: %s", error)
        return None


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # A form the caller was in has been left by the rule that brought us
        # here; its answers stay for a ticket or for the agent.
        settings = clients.handoff()
        # The console's take-over names the one phone to ring.
        named = next(tracker.get_latest_entity_values(ENTITY_AGENT_NUMBER), None)
        agents = (str(named),) if named else settings.agent_numbers
        caller_sid = tracker.get_slot("call_sid") or tracker.sender_id
        if not agents or not is_call_sid(caller_sid):
            offer_ticket(dispatcher, "I can't put you through to a person right now.")
            return []
        if not is_open(settings.business_hours, settings.timezone):
            hours = describe_hours(settings.business_hours)
            when = f" They take calls {hours}." if hours else ""
            offer_ticket(dispatcher, f"Our agents aren't available at the moment.{when}")
            return []
        incident = await record_transcript(tracker)
        whisper = summary(tracker)
        if incident:
            whisper += f" The transcript is on incident {incident}."
        request = HandoffRequest(whisper, agents=(str(named),) if named else ())
        dispatcher.utter_message(
            text="I'm bringing in a colleague. Please hold."
            if named
            else "I'm connecting you to an agent now. Please hold.",
            json_message=request.payload(),
        )
        return [SlotSet("handoff_incident", incident)]


class ActionHandoffFailed(Action):
    """The caller is back from the hold, or was never put on it: no agent took the call."""

    def name(self) -> str:
        return "action_handoff_failed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        outcome = next(tracker.get_latest_entity_values(ENTITY_HANDOFF_OUTCOME), None)
        if outcome == OUTCOME_UNREACHABLE:
            offer_ticket(dispatcher, "Sorry, I couldn't reach an agent just now.")
        else:
            offer_ticket(dispatcher, "Sorry, no agent is free right now.")
        return []
