"""Who is probably calling, from the number they call from.

A help desk should not ask for what it already knows: when the call's ``From``
number is an active user's phone or mobile, the email question becomes "Am I
speaking with Abel Tuter?". A desk phone shared by two people gets both names;
a number shared by more is treated as unknown, so a list is never read out.
The lookup runs when the email is first needed, never before the greeting.
"""

from __future__ import annotations

import logging
from typing import Any

from actions import clients
from actions.directory import pick_by_name
from servicenow.client import ServiceNowError, ServiceNowUser

logger = logging.getLogger(__name__)

# More people than this on one number: ask for the email instead of naming them.
MAX_NAMES_OFFERED = 2
AFFIRM, DENY = "affirm", "deny"


def as_offer(user: ServiceNowUser) -> dict[str, str]:
    """What the ``caller_id_offer`` slot keeps of a user (JSON, for the tracker)."""
    return {"sys_id": user.sys_id, "name": user.name, "email": user.email}


async def people_on_the_line(caller_phone: str | None) -> list[dict[str, str]]:
    """Users to offer for this number: one or two, else none (unknown, shared, or failure).

    ServiceNow failing here costs nothing but the shortcut: the caller is
    asked for the email as usual, and the email lookup reports the outage.
    """
    if not caller_phone:
        return []
    try:
        users = await clients.servicenow().find_users_by_phone(
            caller_phone, limit=MAX_NAMES_OFFERED + 1
        )
    except ServiceNowError as error:
        logger.warning("caller ID lookup failed: %s", error)
        return []
    users = [u for u in users if u.name.strip() and u.email.strip()]
    if not users or len(users) > MAX_NAMES_OFFERED:
        return []
    return [as_offer(user) for user in users]


def identity_question(offers: list[dict[str, str]]) -> str:
    """ "Am I speaking with Abel Tuter?" or "... with Sam Shared, or Sasha Shared?"."""
    names = [offer["name"] for offer in offers]
    if len(names) == 1:
        return f"Am I speaking with {names[0]}?"
    return f"Am I speaking with {', '.join(names[:-1])}, or {names[-1]}?"


def identity_buttons(offers: list[dict[str, str]]) -> list[dict[str, str]]:
    """Keys for the answer: yes or no for one name, the names' numbers for several."""
    if len(offers) == 1:
        return [{"title": "yes", "payload": "/affirm"}, {"title": "no", "payload": "/deny"}]
    return [
        {"title": offer["name"], "payload": f'/inform{{"number": {position}}}'}
        for position, offer in enumerate(offers, start=1)
    ]


class _Named:
    """An offer seen as a ``directory.Person`` for name matching."""

    def __init__(self, offer: dict[str, str]) -> None:
        self.offer = offer
        self.name = offer["name"]
        self.email = offer["email"]


def chosen(
    offers: list[dict[str, str]], text: str, intent: str | None, number: Any = None
) -> dict[str, str] | str | None:
    """The offer the caller confirmed, ``DENY`` for a no, or None when the answer is unclear.

    One name: yes or no. Several: a name ("Sasha"), or the key of a name.
    """
    if len(offers) == 1:
        if intent == "affirm":
            return offers[0]
        return DENY if intent == "deny" else None
    if isinstance(number, (int, float)) and 1 <= int(number) <= len(offers):
        return offers[int(number) - 1]
    person = pick_by_name(text, [_Named(offer) for offer in offers])
    if isinstance(person, _Named):
        return person.offer
    return DENY if intent == "deny" else None
