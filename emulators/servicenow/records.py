"""Render stored records the way the Table API answers.

Every value is a string (empty is ``""``); reference fields become
``{"link", "value"}``; ``display_value`` false/true/all and
``exclude_reference_link`` change the shape; ``sysparm_fields`` selects fields,
dot-walked paths included (``caller_id.email``). Journal fields (work notes,
comments) read back as ``""`` unless display values are asked for.
"""

from __future__ import annotations

from typing import Protocol

from .schema import TABLES, Field, field_at

DISPLAY_MODES = ("false", "true", "all")


class Resolver(Protocol):
    """What rendering needs from storage."""

    def follow(self, table: str, sys_id: str) -> dict[str, str] | None: ...

    def journal_text(self, table: str, sys_id: str, element: str) -> str: ...


def display_mode(raw: str | None) -> str:
    """``sysparm_display_value`` as sent (``True``, ``false``, ``ALL``...) -> false/true/all."""
    value = (raw or "false").strip().lower()
    return value if value in DISPLAY_MODES else "false"


def parse_fields(raw: str | None, table: str) -> list[str] | None:
    """Requested field paths, unknown ones dropped; None means every field."""
    names = [name.strip() for name in (raw or "").split(",") if name.strip()]
    if not names:
        return None
    return [name for name in dict.fromkeys(names) if field_at(table, name) is not None]


def walk(
    resolver: Resolver, table: str, record: dict[str, str] | None, path: str
) -> tuple[str, dict[str, str] | None]:
    """Follow the references of a dot-walked path: (owner table, owner record) of its last field."""
    segments = path.split(".")
    for name in segments[:-1]:
        if record is None:
            break
        target = TABLES[table].fields[name].reference or ""
        sys_id = record.get(name, "")
        record = resolver.follow(target, sys_id) if sys_id else None
        table = target
    return table, record


def stored_value(resolver: Resolver, table: str, record: dict[str, str], path: str) -> str:
    """The database value of a (dot-walked) path, as queries and ORDER BY see it."""
    _, owner = walk(resolver, table, record, path)
    if owner is None:
        return ""
    return owner.get(path.rsplit(".", 1)[-1], "")


def _display(resolver: Resolver, table: str, owner: dict[str, str], field: Field) -> str:
    raw = owner.get(field.name, "")
    if field.kind == "journal":
        return resolver.journal_text(table, owner.get("sys_id", ""), field.name)
    if field.kind == "reference" and field.reference:
        target = resolver.follow(field.reference, raw) if raw else None
        return target.get(TABLES[field.reference].display_field, "") if target else ""
    if field.kind == "choice":
        return field.choices.get(raw, raw)
    return raw


def render_value(
    resolver: Resolver,
    table: str,
    owner: dict[str, str] | None,
    field: Field,
    *,
    mode: str,
    exclude_links: bool,
    base_url: str,
) -> object:
    """One field of one record in the requested display mode."""
    if owner is None:
        return {"display_value": "", "value": ""} if mode == "all" else ""
    raw = "" if field.kind == "journal" else owner.get(field.name, "")
    display = _display(resolver, table, owner, field) if mode != "false" else raw
    if field.kind == "reference" and raw:
        link = (
            {} if exclude_links else {"link": f"{base_url}/api/now/table/{field.reference}/{raw}"}
        )
        if mode == "false":
            return raw if exclude_links else {**link, "value": raw}
        if mode == "true":
            return display if exclude_links else {"display_value": display, **link}
        return {"display_value": display, **link, "value": raw}
    if mode == "all":
        return {"display_value": display, "value": raw}
    return display


def render(
    resolver: Resolver,
    table: str,
    record: dict[str, str],
    *,
    fields: list[str] | None,
    mode: str,
    exclude_links: bool,
    base_url: str,
) -> dict[str, object]:
    """A record as the API shows it."""
    paths = fields if fields is not None else list(TABLES[table].fields)
    result: dict[str, object] = {}
    for path in paths:
        field = field_at(table, path)
        if field is None:
            continue
        owner_table, owner = walk(resolver, table, record, path)
        result[path] = render_value(
            resolver,
            owner_table,
            owner,
            field,
            mode=mode,
            exclude_links=exclude_links,
            base_url=base_url,
        )
    return result
