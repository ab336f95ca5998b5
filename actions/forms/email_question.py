"""The email question both forms ask, and the ServiceNow lookups behind it.

Over a phone line the email is where calls fail, so the question avoids being
asked at all and recovers when the answer is misheard:

1. Caller ID: a ``From`` number on an active user's phone makes the question
   "Am I speaking with Abel Tuter?" (both names for a shared desk phone).
2. A heard address that is nobody's is compared with the users of its domain;
   one close match is offered, spelled ("Did you mean a b e l dot ...?"), or,
   in the ticket form, put in the read-back that spells it before filing.
3. After two misses the caller spells it ("t as in tango"), corrects one
   letter ("the third letter is u"), or gives their employee number.

Directory searches are counted per call (``directory_lookups``) and stop at
``DIRECTORY_LOOKUPS_PER_CALL``, so guessing names by phone leads nowhere.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clients
from actions.caller_id import (
    DENY,
    chosen,
    identity_buttons,
    identity_question,
    people_on_the_line,
)
from actions.conversation import extracts_answer, latest_entity, latest_intent
from actions.directory import best_match, domain_of
from contract import PAYLOAD_KEYPAD
from servicenow.client import ServiceNowError, ServiceNowUser
from speech.speakable import spell_email
from speech.spelling import (
    apply_correction,
    heard_local_part,
    loose_email,
    parse_letter_correction,
    parse_spelled_email,
    with_missing_at,
)
from speech.spoken_email import is_valid_email, parse_spoken_email

logger = logging.getLogger(__name__)
# The voice channel then takes several keys ended with # (an employee number).
KEYPAD = {PAYLOAD_KEYPAD: {"finish_on_key": "#"}}

SPELL_AFTER_MISSES = 2
# The form whose read-back spells the email and asks to go ahead.
READ_BACK_FORM = "open_incident_form"
YES_NO_BUTTONS = [{"title": "yes", "payload": "/affirm"}, {"title": "no", "payload": "/deny"}]
_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "to": "2",
                "too": "2", "three": "3", "four": "4", "for": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9"}  # fmt: skip
_NUMBER_FILLERS = frozenset(
    "my the employee number is it's its id badge staff pound hash um uh it is".split()
)
_SERVICENOW_DOWN = {"email": None, "servicenow_unavailable": True, "requested_slot": None}


def employee_number_in(text: str) -> str | None:
    """Digits keyed in ("100123#") or said ("one zero zero one two three"), else None."""
    words = re.findall(r"[a-z']+|\d+|#", text.lower())
    digits = []
    for word in words:
        if word.isdigit():
            digits.append(word)
        elif word in _DIGIT_WORDS:
            digits.append(_DIGIT_WORDS[word])
        elif word not in _NUMBER_FILLERS and word != "#":
            return None
    number = "".join(digits)
    return number if 5 <= len(number) <= 10 else None


def _servicenow_down(
    dispatcher: CollectingDispatcher, lookup: str, error: ServiceNowError
) -> dict[str, Any]:
    """ServiceNow did not answer a lookup: the caller hears an apology and the form stops."""
    logger.warning("%s failed: %s", lookup, error)
    dispatcher.utter_message(response="utter_servicenow_down")
    return dict(_SERVICENOW_DOWN)


def _count(tracker: Tracker, slot: str) -> int:
    return int(tracker.get_slot(slot) or 0)


def _identified(users: list[ServiceNowUser] | list[dict[str, str]], email: str) -> dict[str, Any]:
    """Slot values once we know who calls: the email, remembered, and their sys_ids."""
    sys_ids = [u["sys_id"] if isinstance(u, dict) else u.sys_id for u in users]
    return {
        "email": email,
        "known_email": email,
        "caller_sys_ids": sys_ids,
        "servicenow_unavailable": False,
        "caller_id_offer": None,
        "directory_suggestion": None,
        "heard_email": None,
    }


async def look_up_caller(email: str, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """Slot values for ``email`` once ServiceNow says whose it is.

    No account: the caller is asked again. Several: all are kept and the desk is
    told. ServiceNow unreachable: the caller hears an apology and the form stops.
    """
    try:
        users = await clients.servicenow().find_users_by_email(email)
    except ServiceNowError as error:
        return _servicenow_down(dispatcher, "user lookup", error)
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


async def _suggestion(tracker: Tracker, heard: list[str]) -> tuple[str | None, int]:
    """One directory user close to what was heard (or None), and the call's lookup count after.

    ``heard`` holds the parsed address and a looser reading of the same words;
    the first that has one clear match wins. One search of the domain either way.
    """
    settings = clients.directory_settings()
    lookups = _count(tracker, "directory_lookups")
    if lookups >= settings.lookups_per_call:
        return None, lookups
    people = await clients.servicenow().users_in_email_domain(
        domain_of(heard[0]), limit=settings.candidate_limit
    )
    for address in heard:
        person = best_match(address, people, settings.match_threshold)
        if person is not None:
            return person.email.lower(), lookups + 1
    return None, lookups + 1


async def _check_address(
    candidate: str, text: str, tracker: Tracker, dispatcher: CollectingDispatcher
) -> dict[str, Any]:
    """An exact user for ``candidate``, or a miss and maybe one directory suggestion.

    In the ticket form a suggestion goes straight into the read-back, which
    spells the address and asks "Shall I open the ticket?": that is its one
    confirmation. The status form reads tickets out, so it asks first.
    """
    loose = f"{heard_local_part(text)}@{domain_of(candidate)}"
    try:
        users = await clients.servicenow().find_users_by_email(candidate)
        if users:
            return await look_up_caller(candidate, dispatcher)
        suggestion, lookups = await _suggestion(tracker, [candidate, loose])
        if suggestion and tracker.active_loop_name == READ_BACK_FORM:
            found = await look_up_caller(suggestion, dispatcher)
            if found.get("email"):
                dispatcher.utter_message(
                    text="I didn't find that exact address, so I'll use the closest one "
                    "I have. Please check it when I read the ticket back."
                )
                return {**found, "directory_lookups": float(lookups)}
            return found
    except ServiceNowError as error:
        return _servicenow_down(dispatcher, "user lookup", error)
    misses = _count(tracker, "email_misses") + 1
    dispatcher.utter_message(text=f"I couldn't find an account with the email {candidate}.")
    return {
        "email": None,
        "email_reuse_declined": True,
        "email_misses": float(misses),
        "directory_lookups": float(lookups),
        "directory_suggestion": suggestion,
        "heard_email": candidate,
    }


async def _employee_number(
    number: str, tracker: Tracker, dispatcher: CollectingDispatcher
) -> dict[str, Any]:
    """The caller's account by employee number, within the call's lookup budget."""
    lookups = _count(tracker, "directory_lookups")
    if lookups >= clients.directory_settings().lookups_per_call:
        dispatcher.utter_message(
            text="Sorry, I can't look up any more numbers on this call. "
            "Please say your email, or say agent to talk to a person."
        )
        return {"email": None}
    try:
        user = await clients.servicenow().find_user_by_employee_number(number)
    except ServiceNowError as error:
        return _servicenow_down(dispatcher, "employee number lookup", error)
    if user is None or not is_valid_email(user.email.lower()):
        dispatcher.utter_message(text="I couldn't find that employee number.")
        return {"email": None, "directory_lookups": float(lookups + 1)}
    return {**_identified([user], user.email.lower()), "directory_lookups": float(lookups + 1)}


async def ask_for_email(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """The email question in the form the call has reached (``action_ask_email``)."""
    known = tracker.get_slot("known_email")
    declined = tracker.get_slot("email_reuse_declined")
    if known and not declined:
        dispatcher.utter_message(
            text=f"Shall I use the same email, {known}?", buttons=YES_NO_BUTTONS
        )
        return []
    events: list[dict[str, Any]] = []
    offers = tracker.get_slot("caller_id_offer") or []
    if not offers and not known and not tracker.get_slot("caller_id_checked"):
        offers = await people_on_the_line(tracker.get_slot("caller_phone"))
        events = [SlotSet("caller_id_checked", True), SlotSet("caller_id_offer", offers or None)]
    if offers:
        dispatcher.utter_message(text=identity_question(offers), buttons=identity_buttons(offers))
        return events
    suggestion = tracker.get_slot("directory_suggestion")
    if suggestion:
        dispatcher.utter_message(
            text=f"Did you mean {spell_email(suggestion)}?", buttons=YES_NO_BUTTONS
        )
    elif _count(tracker, "email_misses") >= SPELL_AFTER_MISSES:
        dispatcher.utter_message(
            text="Let's spell it. Say your email letter by letter, like t as in tango. "
            "To fix one letter, say, for example, the third letter is u. "
            "Or key in your employee number and press pound.",
            json_message=KEYPAD,
        )
    elif declined:
        dispatcher.utter_message(text="What email address should I use?")
    else:
        # Digits survive a bad line far better than an address does.
        dispatcher.utter_message(
            text="What's the email address on your account? "
            "Or say your employee number, or key it in and press pound.",
            json_message=KEYPAD,
        )
    return events


class EmailQuestion:
    """``extract_email`` and ``validate_email`` for a FormValidationAction."""

    extract_email = extracts_answer("email")

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        changes = await self._read_answer(str(value or ""), dispatcher, tracker)
        if tracker.get_slot("caller_id_offer"):
            changes.setdefault("caller_id_offer", None)  # asked once, answered or not
        return changes

    async def _read_answer(
        self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Slot changes for what the caller said to whichever email question was asked."""
        intent = latest_intent(tracker)
        candidate = (
            parse_spoken_email(text)
            or with_missing_at(text)
            or loose_email(text)
            or latest_entity(tracker, "email")
        )
        offers = tracker.get_slot("caller_id_offer") or []
        if offers and not candidate:
            answer = chosen(offers, text, intent, latest_entity(tracker, "number"))
            if isinstance(answer, dict):
                return _identified([answer], answer["email"].lower())
            if answer != DENY:
                dispatcher.utter_message(text="Sorry, I didn't catch that.")
            return {"email": None, "caller_id_offer": None}
        correction = parse_letter_correction(text)
        suggestion = tracker.get_slot("directory_suggestion")
        if suggestion and not candidate and not correction:
            if intent == "affirm":
                found = await look_up_caller(suggestion, dispatcher)
                return {**found, "directory_suggestion": None}
            if intent == "deny":
                return {"email": None, "directory_suggestion": None}
        number = employee_number_in(text)
        if number and not candidate:
            return await _employee_number(number, tracker, dispatcher)
        known = tracker.get_slot("known_email")
        if known and not tracker.get_slot("email_reuse_declined") and not candidate:
            if intent == "affirm":
                return {"email": known}
            if intent == "deny":
                return {"email": None, "email_reuse_declined": True}
        heard = tracker.get_slot("heard_email")
        if correction and heard:
            candidate = apply_correction(heard, correction)
        elif _count(tracker, "email_misses") >= SPELL_AFTER_MISSES:
            candidate = parse_spelled_email(text, domain_of(heard or "")) or candidate
        if not candidate or not is_valid_email(candidate):
            dispatcher.utter_message(
                text="Sorry, I didn't get a full email address. "
                "Say it like j p k at example dot com."
            )
            misses = _count(tracker, "email_misses") + 1
            return {"email": None, "directory_suggestion": None, "email_misses": float(misses)}
        return await _check_address(candidate.lower(), text, tracker, dispatcher)
