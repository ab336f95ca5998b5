"""Reads Rasa's SQL event broker table incrementally, by id, into the board.

Rasa appends one row per event (``events``: id, sender_id, data); the feed
remembers the last id it read and asks only for newer rows a few times a
second. The tracker store is never polled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

from console.board import Board

logger = logging.getLogger(__name__)
POLL_SECONDS = 0.25
BATCH = 500


def read_rows(path: Path, after_id: int, limit: int = BATCH) -> list[tuple[int, str, str]]:
    """Broker rows with an id above ``after_id``, oldest first ([] before Rasa made the table)."""
    if not path.exists():
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(
                "SELECT id, sender_id, data FROM events WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
    except sqlite3.OperationalError as error:
        logger.debug("event broker table not readable yet: %s", error)
        return []


class Feed:
    def __init__(self, path: Path, board: Board) -> None:
        self.path = path
        self.board = board
        self.last_id = 0

    def pull_once(self) -> int:
        """Reads what is new (blocking); returns how many rows were read."""
        rows = read_rows(self.path, self.last_id)
        self.apply(rows)
        return len(rows)

    def apply(self, rows: list[tuple[int, str, str]]) -> None:
        for event_id, sender_id, data in rows:
            self.last_id = event_id
            try:
                event = json.loads(data)
            except ValueError:
                continue
            self.board.add(event_id, sender_id or "", event)

    async def run(self) -> None:
        while True:
            try:
                rows = await asyncio.to_thread(read_rows, self.path, self.last_id)
                self.apply(rows)
                self.board.close_stale()
                if len(rows) == BATCH:
                    continue
            except Exception:
                logger.exception("reading the event broker failed; trying again")
            await asyncio.sleep(POLL_SECONDS)
