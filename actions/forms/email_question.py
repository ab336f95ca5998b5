"""The email question both forms ask, and the ServiceNow lookup behind it."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clients
from actions.api.servicenow import ServiceNowError
from actions.conversation import answer_slot, latest_entity, latest_intent
from speech.spoken_email import is_valid_email, parse_spoken_email

logger = logging.getLogger(__name__)


async def look_up_caller(email: str, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """Slot values for ``email`` once ServiceNow says whose it is.

    No account: the caller is asked again. Several: all are kept and the desk is
    told. ServiceNow unreachable: the caller hears an apology and the form stops.
    """
    try:
        users = await clients.servicenow().find_users_by_email(email)
    except ServiceNowError as error:
        logger.warning("user lookup failed: %s", error)
        dispatcher.utter_message(response="utter_servicenow_down")
        return {"email": None, "servicenow_unavailable": True, "requested_slot": None}
    if not users:
        dispatcher.utter_message(
            text=f"I couldn't find an account with the email {email}. "
            "Please say your email again, or say agent to talk to a person."
        )
        return {"email": None, "email_reuse_declined": True}
    if len(users) > 1:
        dispatcher.utter_message(
            text="That email is on more than one account, so I'll note it for the service desk."
        )
    return {
        "email": email,
        "known_email": email,
        "caller_sys_ids": [user.sys_id for user in users],
        "servicenow_unavailable": False,
    }


class EmailQuestion:
    """``extract_email`` and ``validate_email`` for a FormValidationAction."""

    async def extract_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_slot(tracker, "email")

    async def validate_email(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        known = tracker.get_slot("known_email")
        offered_known = bool(known) and not tracker.get_slot("email_reuse_declined")
        candidate = parse_spoken_email(str(value or "")) or latest_entity(tracker, "email")
        if offered_known and not candidate:
            intent = latest_intent(tracker)
            if intent == "affirm":
                return {"email": known}
            if intent == "deny":
                return {"email": None, "email_reuse_declined": True}
        if not candidate or not is_valid_email(candidate):
            dispatcher.utter_message(
                text="Sorry, I didn't get a full email address. "
                "Say it like j p k at example dot com."
            )
            return {"email": None}
        return await look_up_caller(candidate.lower(), dispatcher)
