"""The tracker store keeps recent conversations in memory without ever answering stale.

Two stores on one SQLite file stand for two Rasa replicas on one database.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from stores.tracker_store import ConfiguredTrackerStore

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet"],
        "slots": {"email": {"type": "text", "mappings": [{"type": "custom"}]}},
    }
)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    return url


def store(monkeypatch: pytest.MonkeyPatch, kept: int = 512) -> ConfiguredTrackerStore:
    monkeypatch.setenv("TRACKER_CACHE_CONVERSATIONS", str(kept))
    return ConfiguredTrackerStore(domain=DOMAIN)


def started(store: ConfiguredTrackerStore, sender: str) -> None:
    tracker = store.init_tracker(sender)
    for event in (ActionExecuted("action_session_start"), SessionStarted()):
        tracker.update(event)
    asyncio.run(store.save(tracker))


def a_turn(store: ConfiguredTrackerStore, sender: str, email: str) -> None:
    tracker = asyncio.run(store.retrieve(sender))
    tracker.update(UserUttered(email, {"name": "greet", "confidence": 1.0}))
    tracker.update(SlotSet("email", email))
    asyncio.run(store.save(tracker))


@pytest.mark.usefixtures("database")
def test_a_turn_saved_by_another_replica_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = store(monkeypatch), store(monkeypatch)
    started(one, "CA1")
    a_turn(one, "CA1", "a@example.com")
    a_turn(two, "CA1", "b@example.com")
    tracker = asyncio.run(one.retrieve("CA1"))
    assert tracker.get_slot("email") == "b@example.com"
    assert [e for e in tracker.events if isinstance(e, UserUttered)][-1].text == "b@example.com"
    a_turn(one, "CA1", "c@example.com")
    assert asyncio.run(two.retrieve("CA1")).get_slot("email") == "c@example.com"


@pytest.mark.usefixtures("database")
def test_changes_to_a_tracker_that_was_not_saved_are_not_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = store(monkeypatch)
    started(kept, "CA2")
    a_turn(kept, "CA2", "a@example.com")
    failed = asyncio.run(kept.retrieve("CA2"))
    failed.update(SlotSet("email", "never@example.com"))  # a turn that went wrong: not saved
    again = asyncio.run(kept.retrieve("CA2"))
    assert again is not failed
    assert again.get_slot("email") == "a@example.com"


@pytest.mark.usefixtures("database")
def test_the_next_turn_gets_the_saved_tracker_once_and_only_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = store(monkeypatch)
    started(kept, "CA6")
    saved = asyncio.run(kept.retrieve("CA6"))
    saved.update(SlotSet("email", "a@example.com"))
    asyncio.run(kept.save(saved))
    assert asyncio.run(kept.retrieve("CA6")) is saved  # no replay of the conversation
    assert asyncio.run(kept.retrieve("CA6")) is not saved  # lent once: a second reader
    asyncio.run(kept.save(saved))
    saved.update(SlotSet("email", "after@example.com"))  # changed after its save
    again = asyncio.run(kept.retrieve("CA6"))
    assert again is not saved
    assert again.get_slot("email") == "a@example.com"


@pytest.mark.parametrize("kept", [0, 1, 512])
@pytest.mark.usefixtures("database")
def test_every_turn_is_stored_once_whatever_is_kept(
    monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    cached, plain = store(monkeypatch, kept), store(monkeypatch, 0)
    for sender in ("CA3", "CA4"):
        started(cached, sender)
    for email in ("a@example.com", "b@example.com"):
        for sender in ("CA3", "CA4"):
            a_turn(cached, sender, email)
    for sender in ("CA3", "CA4"):
        read = asyncio.run(plain.retrieve(sender))
        assert [type(e).__name__ for e in read.events] == [
            "SessionStarted",  # Rasa reads from the session's start on
            *["UserUttered", "SlotSet"] * 2,
        ]
        assert asyncio.run(cached.retrieve(sender)).events == read.events


@pytest.mark.usefixtures("database")
def test_a_new_session_is_read_as_rasa_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = store(monkeypatch)
    started(kept, "CA5")
    a_turn(kept, "CA5", "a@example.com")
    tracker = asyncio.run(kept.retrieve("CA5"))
    for event in (ActionExecuted("action_session_start"), SessionStarted()):
        tracker.update(event)
    asyncio.run(kept.save(tracker))
    fresh = asyncio.run(store(monkeypatch, 0).retrieve("CA5"))
    assert asyncio.run(kept.retrieve("CA5")).events == fresh.events
