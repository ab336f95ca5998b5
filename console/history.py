"""The console's own SQLite file: ended calls with their transcripts, and the review list.

Rasa's broker table is the source; this keeps what the history and review pages
search, so they never replay the broker. Retention deletes both the stored
transcripts and the broker's rows of calls older than the limit. Every method
blocks, so the app calls them in a thread.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from console.calls import CallState, review_candidates

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    sid TEXT PRIMARY KEY,
    started REAL NOT NULL,
    ended REAL NOT NULL,
    duration REAL NOT NULL,
    outcome TEXT NOT NULL,
    incident TEXT,
    caller TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_incident ON calls (incident);
CREATE INDEX IF NOT EXISTS calls_started ON calls (started);
CREATE TABLE IF NOT EXISTS review (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    predicted TEXT,
    confidence REAL,
    reason TEXT NOT NULL,
    context TEXT NOT NULL,
    at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    label TEXT,
    UNIQUE (sid, event_id)
);
"""


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    # -- calls -------------------------------------------------------------------

    def ended_sids(self) -> set[str]:
        with self._connect() as db:
            return {row["sid"] for row in db.execute("SELECT sid FROM calls")}

    def save_call(self, call: CallState, silence_seconds: float, low_confidence: float) -> None:
        detail = call.detail(call.ended_at or call.last_event_at, silence_seconds)
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO calls"
                " (sid, started, ended, duration, outcome, incident, caller, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    call.sid,
                    call.started,
                    call.ended_at or call.last_event_at,
                    call.duration(),
                    call.outcome(silence_seconds),
                    call.incident,
                    call.caller,
                    json.dumps(detail),
                ),
            )
            for item in review_candidates(call, low_confidence):
                db.execute(
                    "INSERT OR IGNORE INTO review"
                    " (sid, event_id, text, predicted, confidence, reason, context, at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item["sid"],
                        item["event_id"],
                        item["text"],
                        item["predicted"],
                        item["confidence"],
                        item["reason"],
                        json.dumps(item["context"]),
                        item["at"],
                    ),
                )

    def calls(self, incident: str = "", limit: int = 100) -> list[dict[str, Any]]:
        query = "SELECT sid, started, ended, duration, outcome, incident, caller FROM calls"
        params: list[Any] = []
        if incident:
            query += " WHERE incident LIKE ?"
            params.append(f"%{incident.strip().upper()}%")
        query += " ORDER BY started DESC LIMIT ?"
        params.append(limit)
        with self._connect() as db:
            return [dict(row) for row in db.execute(query, params)]

    def call(self, sid: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM calls WHERE sid = ?", (sid,)).fetchone()
        if row is None:
            return None
        return {**dict(row), "detail": json.loads(row["detail"])}

    def since(self, started_after: float) -> list[dict[str, Any]]:
        """Ended calls for the home page's pictures, with their turns."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT started, outcome, detail FROM calls WHERE started >= ?", (started_after,)
            ).fetchall()
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]

    # -- review ------------------------------------------------------------------

    def review_items(self, status: str = "open", limit: int = 200) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM review WHERE status = ? ORDER BY at DESC LIMIT ?", (status, limit)
            ).fetchall()
        return [{**dict(r), "context": json.loads(r["context"])} for r in rows]

    def review_item(self, item_id: int) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM review WHERE id = ?", (item_id,)).fetchone()
        return dict(row) if row else None

    def set_label(self, item_id: int, label: str | None) -> None:
        status = "ignored" if label is None else "labelled"
        with self._connect() as db:
            db.execute(
                "UPDATE review SET status = ?, label = ? WHERE id = ?", (status, label, item_id)
            )

    def fallback_phrases(self, limit: int = 8) -> list[tuple[str, int]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT lower(text) AS phrase, count(*) AS n FROM review"
                " WHERE reason = 'fell back' GROUP BY phrase ORDER BY n DESC, phrase LIMIT ?",
                (limit,),
            ).fetchall()
        return [(r["phrase"], r["n"]) for r in rows]

    # -- retention ---------------------------------------------------------------

    def delete_older_than(self, days: int, events_db: Path, now: float | None = None) -> int:
        """Deletes calls (and their review items and broker rows) that started ``days`` ago."""
        cutoff = (now or time.time()) - days * 86400
        with self._connect() as db:
            old = [
                r["sid"] for r in db.execute("SELECT sid FROM calls WHERE started < ?", (cutoff,))
            ]
            db.executemany("DELETE FROM calls WHERE sid = ?", [(s,) for s in old])
            db.executemany("DELETE FROM review WHERE sid = ?", [(s,) for s in old])
        if old and events_db.exists():
            with sqlite3.connect(events_db, timeout=10) as events:
                events.executemany("DELETE FROM events WHERE sender_id = ?", [(s,) for s in old])
        return len(old)
