"""SQLite persistence for the emulator: records, journal entries, number counters.

Records are stored as JSON objects of string values, one row each, so the
schema lives in ``schema.py`` and not in SQL. Every statement is parameterized.
The database file survives restarts; ``wipe()`` empties it for a reseed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    sys_id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (table_name, sys_id)
);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    element_id TEXT NOT NULL,
    element TEXT NOT NULL,
    value TEXT NOT NULL,
    sys_created_on TEXT NOT NULL,
    sys_created_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_element ON journal (table_name, element_id, element);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class JournalEntry:
    element: str
    value: str
    created_on: str
    created_by: str


class Store:
    """One SQLite connection, used from the server's single event-loop thread."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def is_empty(self) -> bool:
        return self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0

    def wipe(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM records")
            self._db.execute("DELETE FROM journal")
            self._db.execute("DELETE FROM counters")

    def insert(self, table: str, record: dict[str, str]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO records (table_name, sys_id, data) VALUES (?, ?, ?)",
                (table, record["sys_id"], json.dumps(record)),
            )

    def update(self, table: str, record: dict[str, str]) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE records SET data = ? WHERE table_name = ? AND sys_id = ?",
                (json.dumps(record), table, record["sys_id"]),
            )

    def delete(self, table: str, sys_id: str) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM records WHERE table_name = ? AND sys_id = ?", (table, sys_id)
            )
            self._db.execute(
                "DELETE FROM journal WHERE table_name = ? AND element_id = ?", (table, sys_id)
            )
        return cursor.rowcount > 0

    def get(self, table: str, sys_id: str) -> dict[str, str] | None:
        row = self._db.execute(
            "SELECT data FROM records WHERE table_name = ? AND sys_id = ?", (table, sys_id)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, table: str) -> list[dict[str, str]]:
        """Every record of ``table`` in insertion order."""
        rows = self._db.execute(
            "SELECT data FROM records WHERE table_name = ? ORDER BY seq", (table,)
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def next_value(self, name: str, start: int) -> int:
        """Atomically take the next value of counter ``name`` (first value ``start``)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1",
                (name, start),
            )
            return int(
                self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0]
            )

    def add_journal(self, table: str, sys_id: str, entry: JournalEntry) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO journal (table_name, element_id, element, value, sys_created_on, "
                "sys_created_by) VALUES (?, ?, ?, ?, ?, ?)",
                (table, sys_id, entry.element, entry.value, entry.created_on, entry.created_by),
            )

    def journal(self, table: str, sys_id: str, element: str) -> list[JournalEntry]:
        """Entries of one journal field, newest first."""
        rows = self._db.execute(
            "SELECT element, value, sys_created_on, sys_created_by FROM journal "
            "WHERE table_name = ? AND element_id = ? AND element = ? "
            "ORDER BY sys_created_on DESC, seq DESC",
            (table, sys_id, element),
        ).fetchall()
        return [JournalEntry(*row) for row in rows]
