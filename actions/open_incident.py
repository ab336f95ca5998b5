"""Files the ticket once the caller confirmed it, and says truly what happened.

The request goes into the outbox first (durable, keyed by the call and the
request's number within the call), then to ServiceNow within a short
deadline. The caller hears the incident's number, or that the request is saved
and will be filed automatically; never that a ticket "isn't open" unless
ServiceNow refused it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clients
from actions.ticket import TICKET_FORM_SLOTS, full_description, short_description
from actions.ticket_delivery import Delivery, deliver

logger = logging.getLogger(__name__)
ANYTHING_ELSE = "Is there anything else I can help with?"


def request_key(call_sid: str, request_number: int) -> str:
    """The idempotency key: the same confirmation always gives the same key."""
    return f"{call_sid}:ticket:{request_number}"


def ticket_payload(tracker: Tracker) -> dict[str, Any]:
    accounts = tracker.get_slot("caller_sys_ids") or []
    description = str(tracker.get_slot("problem_description"))
    return {
        "short_description": short_description(tracker.get_slot("problem_category"), description),
        "description": full_description(
            description,
            email=tracker.get_slot("email"),
            caller_phone=tracker.get_slot("caller_phone"),
            matched_accounts=accounts,
        ),
        "caller_sys_id": accounts[0] if len(accounts) == 1 else None,
        "priority": str(tracker.get_slot("priority")),
    }


def what_the_caller_hears(
    number: str | None, delivery: Delivery, priority: str, email: str | None, in_flight: bool
) -> str:
    if number:
        return (
            f"Done. Your ticket number is {number}, with {priority} priority. "
            f"The service desk will follow up by email. {ANYTHING_ELSE}"
        )
    if delivery.rejected:
        return (
            "Sorry, the ticket system refused the request, so no ticket was opened. "
            "Say agent to talk to a person."
        )
    to = f" to {email}" if email else ""
    if in_flight:
        return (
            "Your request is already saved and being filed; "
            f"the ticket number will be sent{to}. {ANYTHING_ELSE}"
        )
    return (
        "ServiceNow isn't answering right now. I've saved your request and it will be "
        f"filed automatically; the ticket number will be sent{to}. {ANYTHING_ELSE}"
    )


class ActionOpenIncident(Action):
    def name(self) -> str:
        return "action_open_incident"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("confirm") is not True:
            # The form stopped early: the caller already heard why.
            return []
        request_number = int(tracker.get_slot("ticket_requests") or 0) + 1
        call_sid = str(tracker.get_slot("call_sid") or tracker.sender_id)
        key = request_key(call_sid, request_number)
        outbox, servicenow = clients.outbox(), clients.servicenow()
        settle = clients.tickets().settle_seconds
        request, claimed = await outbox.put_and_claim(
            key, call_sid, ticket_payload(tracker), settle
        )
        delivery, in_flight = Delivery(), False
        if request.incident_number is None:
            if claimed:
                delivery = await self._deliver_now(outbox, servicenow, key, settle)
            else:
                in_flight = True  # the worker (or an earlier turn) is delivering it now
        number = delivery.incident.number if delivery.incident else request.incident_number
        priority = str(tracker.get_slot("priority"))
        dispatcher.utter_message(
            text=what_the_caller_hears(
                number, delivery, priority, tracker.get_slot("email"), in_flight
            )
        )
        if delivery.rejected:
            return [SlotSet("confirm", None)]
        events = [
            SlotSet("ticket_requests", float(request_number)),
            *(SlotSet(slot, None) for slot in TICKET_FORM_SLOTS),
        ]
        if number:
            events.append(SlotSet("incident_number", number))
        return events

    @staticmethod
    async def _deliver_now(outbox: Any, servicenow: Any, key: str, settle: float) -> Delivery:
        """One delivery within the turn; an unfinished one is left to the worker."""
        claimed = await outbox.get(key)
        assert claimed is not None
        try:
            return await asyncio.wait_for(
                deliver(outbox, servicenow, claimed, settle), servicenow.timeout_seconds + 0.5
            )
        except asyncio.TimeoutError:
            # The write may still land: the worker looks it up before any retry.
            await outbox.retry_later(key, settle, "no answer within the turn")
            return Delivery()
