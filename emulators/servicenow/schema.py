"""The tables the emulator serves: their fields, field kinds and choice labels.

Only what the helpdesk bot and its tests touch: ``incident`` and ``sys_user``.
Choice values and labels are those of a stock ServiceNow instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

STATE_LABELS = {
    "1": "New",
    "2": "In Progress",
    "3": "On Hold",
    "6": "Resolved",
    "7": "Closed",
    "8": "Canceled",
}
INACTIVE_STATES = frozenset({"6", "7", "8"})
LEVEL_LABELS = {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"}
PRIORITY_LABELS = {
    "1": "1 - Critical",
    "2": "2 - High",
    "3": "3 - Moderate",
    "4": "4 - Low",
    "5": "5 - Planning",
}
HOLD_REASON_LABELS = {
    "1": "Awaiting Caller",
    "3": "Awaiting Problem",
    "4": "Awaiting Vendor",
    "5": "Awaiting Change",
}
CONTACT_TYPE_LABELS = {
    "phone": "Phone",
    "email": "Email",
    "self-service": "Self-service",
    "walk-in": "Walk-in",
    "virtual_agent": "Virtual Agent",
}
CATEGORY_LABELS = {
    "inquiry": "Inquiry / Help",
    "software": "Software",
    "hardware": "Hardware",
    "network": "Network",
    "database": "Database",
}
JOURNAL_LABELS = {"work_notes": "Work notes", "comments": "Additional comments"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "string"  # string | reference | choice | boolean | datetime | journal | integer
    reference: str | None = None
    choices: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Table:
    name: str
    display_field: str
    fields: Mapping[str, Field]


def _table(name: str, display_field: str, *fields: Field) -> Table:
    return Table(name, display_field, {f.name: f for f in fields})


_SYSTEM_FIELDS = (
    Field("sys_id"),
    Field("sys_created_on", "datetime"),
    Field("sys_created_by"),
    Field("sys_updated_on", "datetime"),
    Field("sys_updated_by"),
    Field("sys_mod_count", "integer"),
)

TABLES: dict[str, Table] = {
    "incident": _table(
        "incident",
        "number",
        Field("number"),
        Field("short_description"),
        Field("description"),
        Field("caller_id", "reference", "sys_user"),
        Field("opened_by", "reference", "sys_user"),
        Field("assigned_to", "reference", "sys_user"),
        Field("state", "choice", choices=STATE_LABELS),
        Field("incident_state", "choice", choices=STATE_LABELS),
        Field("impact", "choice", choices=LEVEL_LABELS),
        Field("urgency", "choice", choices=LEVEL_LABELS),
        Field("priority", "choice", choices=PRIORITY_LABELS),
        Field("active", "boolean"),
        Field("category", "choice", choices=CATEGORY_LABELS),
        Field("contact_type", "choice", choices=CONTACT_TYPE_LABELS),
        Field("hold_reason", "choice", choices=HOLD_REASON_LABELS),
        Field("opened_at", "datetime"),
        Field("resolved_at", "datetime"),
        Field("closed_at", "datetime"),
        Field("close_code"),
        Field("close_notes"),
        # Set by an integration to find its own records again (idempotent creates).
        Field("correlation_id"),
        Field("correlation_display"),
        Field("work_notes", "journal"),
        Field("comments", "journal"),
        *_SYSTEM_FIELDS,
    ),
    "sys_user": _table(
        "sys_user",
        "name",
        Field("user_name"),
        Field("name"),
        Field("first_name"),
        Field("last_name"),
        Field("email"),
        Field("title"),
        Field("phone"),
        Field("mobile_phone"),
        Field("employee_number"),
        Field("active", "boolean"),
        *_SYSTEM_FIELDS,
    ),
}

# Set by the platform, never taken from a client payload.
SYSTEM_MANAGED = frozenset(
    {"sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count"}
)


def field_at(table: str, path: str) -> Field | None:
    """The field a (possibly dot-walked) path ends on, or None if the path is invalid."""
    current = TABLES.get(table)
    segments = path.split(".")
    for position, name in enumerate(segments):
        if current is None or name not in current.fields:
            return None
        found = current.fields[name]
        if position == len(segments) - 1:
            return found
        if found.kind != "reference" or found.reference is None:
            return None
        current = TABLES.get(found.reference)
    return None


def is_valid_path(table: str, path: str) -> bool:
    return field_at(table, path) is not None
