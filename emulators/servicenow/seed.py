"""Demo data loaded into a new or empty database (and by ``/_emulator/reset``).

Users mirror a ServiceNow personal developer instance (same sys_ids for
``admin`` and Abraham Lincoln) plus the callers the voice tests dial in as:
an address and a desk phone shared by two active users, an inactive user, addresses with
``_``/``-``/``.co.uk``. Demo incidents are numbered INC00000xx; new ones start
at INC0010001.
"""

from __future__ import annotations

import uuid

from .tables import Tables

ADMIN_SYS_ID = "6816f79cc0a8016401c5a33be04be441"
ABRAHAM_LINCOLN_SYS_ID = "a8f98bb0eb32010045e1a5115206fe3a"
_NAMESPACE = uuid.UUID("5b1d8f0e-2f3c-4a8e-9d51-6f0c1f6a2b10")
SEED_TIME = "2025-01-06 09:00:00"


def user_sys_id(key: str) -> str:
    """Stable sys_id of a seeded user (the same on every reseed)."""
    fixed = {"admin": ADMIN_SYS_ID, "abraham.lincoln": ABRAHAM_LINCOLN_SYS_ID}
    return fixed.get(key) or uuid.uuid5(_NAMESPACE, key).hex


# (key, user_name, name, email, active)
USERS = (
    ("admin", "admin", "System Administrator", "admin@example.com", True),
    ("abraham.lincoln", "abraham.lincoln", "Abraham Lincoln", "abraham.lincoln@example.com", True),
    ("abel.tuter", "abel.tuter", "Abel Tuter", "abel.tuter@example.com", True),
    ("beth.anglin", "beth.anglin", "Beth Anglin", "beth.anglin@example.com", True),
    ("fred.luddy", "fred.luddy", "Fred Luddy", "fred.luddy@example.com", True),
    ("david.miller", "david.miller", "David Miller", "david.miller@example.com", True),
    ("aileen.mottern", "aileen.mottern", "Aileen Mottern", "aileen.mottern@example.com", True),
    ("jpk", "jpk", "J P K", "jpk@bespoken.io", True),
    ("john_smith", "john_smith", "John Smith", "john_smith@example.com", True),
    ("jane-doe", "jane-doe", "Jane Doe", "jane-doe@example.co.uk", True),
    ("shared.desk.1", "sam.shared", "Sam Shared", "shared.desk@example.com", True),
    ("shared.desk.2", "sasha.shared", "Sasha Shared", "shared.desk@example.com", True),
    ("inactive.user", "inactive.user", "Ina Active", "inactive.user@example.com", False),
)

# Caller ID and keypad identification: key -> (phone, mobile_phone, employee_number).
# E.164 in the 555-01xx fiction range. Sam and Sasha share the desk phone; the
# inactive user's number must never identify anyone. Nobody has the number the
# test calls come from by default (+15555550100), so those calls hear the email question.
CONTACTS = {
    "admin": ("", "", "100001"),
    "abraham.lincoln": ("+15555550111", "", "100111"),
    "abel.tuter": ("+15555550123", "+15555550124", "100123"),
    "beth.anglin": ("+15555550131", "", "100131"),
    "fred.luddy": ("", "+15555550141", "100141"),
    "david.miller": ("+15555550151", "", "100151"),
    "aileen.mottern": ("", "", "100161"),
    "jpk": ("", "", "100171"),
    "john_smith": ("", "", "100181"),
    "jane-doe": ("", "", "100191"),
    "shared.desk.1": ("+15555550177", "", "100177"),
    "shared.desk.2": ("+15555550177", "+15555550178", "100178"),
    "inactive.user": ("+15555550188", "", "100188"),
}

# (number, caller key, short description, state, impact, urgency, opened_at)
INCIDENTS = (
    ("INC0000050", "abraham.lincoln", "Email not syncing on my laptop", "2", "2", "2",
     "2025-01-10 14:05:00"),
    ("INC0000051", "abraham.lincoln", "VPN drops every few minutes", "1", "2", "1",
     "2025-02-03 08:30:00"),
    ("INC0000052", "abraham.lincoln", "Printer on floor 3 jams", "6", "3", "3",
     "2025-02-20 11:15:00"),
    ("INC0000053", "abraham.lincoln", "Need a new monitor cable", "3", "3", "2",
     "2024-12-01 16:45:00"),
    ("INC0000054", "abel.tuter", "Cannot log in to the HR portal", "1", "1", "2",
     "2025-03-01 09:10:00"),
    ("INC0000055", "abel.tuter", "Laptop battery replaced", "7", "3", "3",
     "2024-11-11 10:00:00"),
    ("INC0000056", "beth.anglin", "Request cancelled by caller", "8", "3", "3",
     "2024-10-05 13:20:00"),
)  # fmt: skip


def seed(tables: Tables) -> None:
    """Insert the demo users and incidents into empty tables; the API user is always a
    sys_user record, so ``opened_by`` can point at it."""
    if not tables.rows("sys_user", "", 1):
        for key, user_name, name, email, active in USERS:
            first, _, last = name.partition(" ")
            phone, mobile_phone, employee_number = CONTACTS[key]
            tables.create(
                "sys_user",
                {
                    "sys_id": user_sys_id(key),
                    "user_name": user_name,
                    "name": name,
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "phone": phone,
                    "mobile_phone": mobile_phone,
                    "employee_number": employee_number,
                    "active": active,
                },
                now=SEED_TIME,
            )
        for number, caller, short, state, impact, urgency, opened_at in INCIDENTS:
            fields: dict[str, object] = {
                "short_description": short,
                "description": f"{short}. Reported by phone.",
                "caller_id": user_sys_id(caller),
                "state": state,
                "impact": impact,
                "urgency": urgency,
                "opened_at": opened_at,
                "contact_type": "phone",
            }
            if state in ("6", "7"):
                fields.update(
                    close_code="Solved (Permanently)", close_notes="Fixed by the service desk."
                )
            tables.create("incident", fields, now=opened_at, number=number)
    if not tables.rows("sys_user", f"user_name={tables.user_name}", 1):
        name = tables.user_name
        tables.create("sys_user", {"user_name": name, "name": name, "active": True})
