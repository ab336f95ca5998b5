"""Table operations behind the HTTP routes: query, read, insert, update, delete.

Glues the store, the encoded-query evaluator, the platform rules and the
renderer together, and knows nothing about HTTP.
"""

from __future__ import annotations

import uuid

from . import encoded_query, rules
from .records import stored_value
from .schema import JOURNAL_LABELS, TABLES, is_valid_path
from .store import JournalEntry, Store

FIRST_INCIDENT_NUMBER = 10001


class TableService:
    """CRUD on the emulated tables, acting as the API user ``user_name``."""

    def __init__(self, store: Store, user_name: str) -> None:
        self.store = store
        self.user_name = user_name

    # -- Resolver protocol, used by records.render ---------------------------------------
    def follow(self, table: str, sys_id: str) -> dict[str, str] | None:
        return self.store.get(table, sys_id) if table in TABLES else None

    def journal_text(self, table: str, sys_id: str, element: str) -> str:
        """Journal entries newest first, each headed like the platform's display value."""
        names = {u["user_name"]: u["name"] for u in self.store.all("sys_user")}
        label = JOURNAL_LABELS.get(element, element)
        return "\n\n".join(
            f"{e.created_on} - {names.get(e.created_by, e.created_by)} ({label})\n{e.value}"
            for e in self.store.journal(table, sys_id, element)
        )

    # -- reads ----------------------------------------------------------------------------
    def query(
        self, table: str, query_text: str, limit: int, offset: int
    ) -> tuple[list[dict[str, str]], int]:
        """(page of matching records, total number of matches)."""
        query = encoded_query.parse(query_text, lambda path: is_valid_path(table, path))

        def lookup(record: dict[str, str], path: str) -> str:
            return stored_value(self, table, record, path)

        found = [
            r
            for r in self.store.all(table)
            if encoded_query.matches(query, lambda p, r=r: lookup(r, p))
        ]
        ordered = encoded_query.sort(found, query.ordering, lookup)
        return ordered[offset : offset + limit], len(ordered)

    def get(self, table: str, sys_id: str) -> dict[str, str] | None:
        return self.store.get(table, sys_id)

    def api_user_sys_id(self) -> str:
        for user in self.store.all("sys_user"):
            if user.get("user_name") == self.user_name:
                return user["sys_id"]
        return ""

    # -- writes ---------------------------------------------------------------------------
    def _resolve_references(self, table: str, values: dict[str, str]) -> None:
        """A reference may be given by sys_id or by display value (e.g. a user's name)."""
        for name, value in values.items():
            target = TABLES[table].fields[name].reference
            if not target or not value or self.store.get(target, value) is not None:
                continue
            display = TABLES[target].display_field
            hits = [
                r for r in self.store.all(target) if r.get(display, "").lower() == value.lower()
            ]
            if len(hits) == 1:
                values[name] = hits[0]["sys_id"]

    def _add_journal(self, table: str, sys_id: str, journal: dict[str, str], now: str) -> None:
        for element, text in journal.items():
            self.store.add_journal(table, sys_id, JournalEntry(element, text, now, self.user_name))

    def create(
        self,
        table: str,
        payload: dict[str, object],
        *,
        now: str | None = None,
        number: str | None = None,
    ) -> dict[str, str]:
        """Insert a record; ``now`` and ``number`` are for seeding demo data only."""
        now = now or rules.now_utc()
        values, journal = rules.split_payload(table, payload)
        self._resolve_references(table, values)
        if table == "incident" and number is None:
            number = f"INC{self.store.next_value('incident', FIRST_INCIDENT_NUMBER):07d}"
        record = rules.on_insert(
            table,
            values,
            number=number,
            user_name=self.user_name,
            user_sys_id=self.api_user_sys_id(),
            sys_id=uuid.uuid4().hex,
            now=now,
        )
        self.store.insert(table, record)
        self._add_journal(table, record["sys_id"], journal, now)
        return record

    def update(self, table: str, sys_id: str, payload: dict[str, object]) -> dict[str, str] | None:
        existing = self.store.get(table, sys_id)
        if existing is None:
            return None
        now = rules.now_utc()
        values, journal = rules.split_payload(table, payload)
        self._resolve_references(table, values)
        record = rules.on_update(table, existing, values, user_name=self.user_name, now=now)
        self.store.update(table, record)
        self._add_journal(table, sys_id, journal, now)
        return record

    def delete(self, table: str, sys_id: str) -> bool:
        return self.store.delete(table, sys_id)
