"""What the platform does to a record on insert and update.

Turns client JSON into stored strings, fills insert defaults (number, state,
opened_by, timestamps), computes ``priority`` from impact and urgency (the
client's priority is ignored, as the stock priority lookup rules do), and keeps
``state``/``incident_state``/``active`` consistent.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from .schema import INACTIVE_STATES, SYSTEM_MANAGED, TABLES, Field

# (impact, urgency) -> priority, per the stock priority lookup rules.
PRIORITY_MATRIX = {
    ("1", "1"): "1",
    ("1", "2"): "2",
    ("2", "1"): "2",
    ("1", "3"): "3",
    ("2", "2"): "3",
    ("3", "1"): "3",
    ("2", "3"): "4",
    ("3", "2"): "4",
    ("3", "3"): "5",
}
SYS_ID = re.compile(r"^[0-9a-f]{32}$")
_LABEL_PREFIX = re.compile(r"^\d+ - ")


def now_utc() -> str:
    """The current time as ServiceNow stores it: ``YYYY-MM-DD HH:MM:SS`` in UTC."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def compute_priority(impact: str, urgency: str) -> str:
    return PRIORITY_MATRIX.get((impact, urgency), "5")


def coerce(field: Field, raw: object) -> str:
    """Turn one JSON value from a client into the stored string of ``field``."""
    if isinstance(raw, dict):  # {"value": ...} or {"sys_id": ...} as some clients send
        raw = raw.get("value", raw.get("sys_id", ""))
    if raw is None:
        return ""
    if isinstance(raw, bool):
        text = "true" if raw else "false"
    else:
        text = str(raw)
    if field.kind == "boolean":
        return "true" if text.strip().lower() in ("true", "1", "yes") else "false"
    if field.kind == "choice" and text not in field.choices:
        wanted = text.strip().lower()
        for value, label in field.choices.items():
            if wanted in (label.lower(), _LABEL_PREFIX.sub("", label).lower()):
                return value
    return text


def split_payload(table: str, payload: dict[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """(field values, journal entries) from a client payload; unknown fields are ignored."""
    fields = TABLES[table].fields
    values: dict[str, str] = {}
    journal: dict[str, str] = {}
    for name, raw in payload.items():
        field = fields.get(name)
        if field is None or name in SYSTEM_MANAGED:
            continue
        if field.kind == "journal":
            text = coerce(field, raw)
            if text.strip():
                journal[name] = text
            continue
        values[name] = coerce(field, raw)
    return values, journal


def _sync_incident(record: dict[str, str], changes: dict[str, str], now: str) -> None:
    """Keep state fields, active flag, resolution stamps and priority consistent."""
    if "state" not in changes and "incident_state" in changes:
        record["state"] = changes["incident_state"]
    record["incident_state"] = record["state"]
    state = record["state"]
    record["active"] = "false" if state in INACTIVE_STATES else "true"
    if state == "6" and not record.get("resolved_at"):
        record["resolved_at"] = now
    if state == "7" and not record.get("closed_at"):
        record["closed_at"] = now
        record["resolved_at"] = record.get("resolved_at") or now
    record["priority"] = compute_priority(record.get("impact", "3"), record.get("urgency", "3"))


def on_insert(
    table: str,
    values: dict[str, str],
    *,
    number: str | None,
    user_name: str,
    user_sys_id: str,
    sys_id: str,
    now: str,
) -> dict[str, str]:
    """A complete new record: every schema field present, defaults filled in."""
    record = {name: "" for name, field in TABLES[table].fields.items() if field.kind != "journal"}
    requested_id = values.pop("sys_id", "")
    record.update(values)
    record["sys_id"] = requested_id if SYS_ID.match(requested_id) else sys_id
    record.update(
        sys_created_on=now,
        sys_created_by=user_name,
        sys_updated_on=now,
        sys_updated_by=user_name,
        sys_mod_count="0",
    )
    if table == "incident":
        record["number"] = number or ""
        record["state"] = values.get("state") or values.get("incident_state") or "1"
        record["impact"] = record["impact"] or "3"
        record["urgency"] = record["urgency"] or "3"
        record["opened_by"] = record["opened_by"] or user_sys_id
        record["opened_at"] = record["opened_at"] or now
        _sync_incident(record, {"state": record["state"]}, now)
    elif table == "sys_user":
        record["active"] = values.get("active", "true")
    return record


def on_update(
    table: str, existing: dict[str, str], changes: dict[str, str], *, user_name: str, now: str
) -> dict[str, str]:
    """The record after applying ``changes`` (sys_id and number stay as they are)."""
    record = dict(existing)
    changes = {k: v for k, v in changes.items() if k not in ("sys_id", "number")}
    record.update(changes)
    record["sys_updated_on"] = now
    record["sys_updated_by"] = user_name
    record["sys_mod_count"] = str(int(existing.get("sys_mod_count") or "0") + 1)
    if table == "incident":
        _sync_incident(record, changes, now)
    return record
