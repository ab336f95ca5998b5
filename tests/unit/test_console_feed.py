"""The feed reads Rasa's SQL event broker table by id: only new rows, in order."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from console.board import Board
from console.calls import CallState
from console.feed import Feed
from console.history import Store

SID = "CA" + "3" * 32


def write(path: Path, *events: dict[str, Any], sid: str = SID) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"
        )
        db.executemany(
            "INSERT INTO events (sender_id, data) VALUES (?, ?)",
            [(sid, json.dumps(e)) for e in events],
        )


def test_before_rasa_made_its_table_the_feed_reads_nothing(tmp_path: Path) -> None:
    feed = Feed(tmp_path / "missing.sqlite3", Board(15, lambda _: None))
    assert feed.pull_once() == 0


def test_each_row_is_read_once_and_only_new_rows_after(tmp_path: Path) -> None:
    events = tmp_path / "events.sqlite3"
    board = Board(15, lambda _: None, clock=lambda: 1002.0)
    feed = Feed(events, board)
    write(events, {"event": "bot", "text": "Hi.", "timestamp": 1000})
    assert feed.pull_once() == 1
    write(events, {"event": "user", "text": "vpn", "timestamp": 1001, "parse_data": {}})
    assert feed.pull_once() == 1
    assert feed.pull_once() == 0
    detail = board.detail(SID)
    assert detail is not None
    assert [t["text"] for t in detail["turns"]] == ["Hi.", "vpn"]


def test_an_ended_call_leaves_the_board_for_the_history(tmp_path: Path) -> None:
    events = tmp_path / "events.sqlite3"
    store = Store(tmp_path / "console.sqlite3")
    ended: list[CallState] = []

    def keep(call: CallState) -> None:
        ended.append(call)
        store.save_call(call, silence_seconds=15, low_confidence=0.6)

    board = Board(15, keep)
    feed = Feed(events, board)
    write(
        events,
        {"event": "slot", "name": "incident_number", "value": "INC0010007", "timestamp": 1000},
        {"event": "pause", "timestamp": 1030},
    )
    feed.pull_once()
    assert board.live() == []
    assert [c.sid for c in ended] == [SID]
    [stored] = store.calls("inc0010007")
    assert (stored["outcome"], stored["duration"]) == ("ticket", 30)
    write(events, {"event": "bot", "text": "late", "timestamp": 1031})
    feed.pull_once()
    assert board.live() == [], "rows after the end do not bring the call back"


def test_retention_deletes_old_transcripts_and_their_broker_rows(tmp_path: Path) -> None:
    events = tmp_path / "events.sqlite3"
    store = Store(tmp_path / "console.sqlite3")
    board = Board(15, lambda call: store.save_call(call, 15, 0.6))
    write(
        events,
        {"event": "bot", "text": "old", "timestamp": 1000},
        {"event": "pause", "timestamp": 1001},
    )
    write(events, {"event": "pause", "timestamp": 90 * 86400.0}, sid="CA" + "4" * 32)
    Feed(events, board).pull_once()
    deleted = store.delete_older_than(30, events, now=91 * 86400.0)
    assert deleted == 1
    assert [c["sid"] for c in store.calls()] == ["CA" + "4" * 32]
    with sqlite3.connect(events) as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (SID,)).fetchone() == (
            0,
        )
