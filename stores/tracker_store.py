"""Rasa's SQL tracker store, configured by ``TRACKER_STORE_URL`` and checked fast.

Rasa's own SQLTrackerStore retries an unreachable database forever (five
seconds at a time); this one checks the database once with a short timeout and
fails with one line naming the store and the fix. SQLite (the default) runs in
WAL mode so the action server can share the file for the ticket outbox.

Each turn Rasa reads a conversation's every event back and rebuilds each one
from JSON; here the events of recent conversations stay in memory
(``TRACKER_CACHE_CONVERSATIONS``), and a turn reads only the rows stored after
the last one it knows, so a turn another replica saved is read, not missed.
The tracker a turn saved is lent to the next turn as it is, unless anything was
added since; a turn that fails is not saved, so its tracker is never lent.
Saving writes the turn's new events, found without reading the conversation
back, and hands them to the event broker in one batch.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from settings import StoreSettings, load_environment
from stores.database import check_tracker_database, engine_for, write_transaction


@dataclass
class _Stored:
    """A conversation's events as stored (since its session started), the last row's id,
    and the tracker that saved them, lent to the next turn once."""

    events: list[Event]
    last_id: int
    tracker: DialogueStateTracker | None = None


class ConfiguredTrackerStore(SQLTrackerStore):
    """``type: stores.tracker_store.ConfiguredTrackerStore`` in endpoints.yml."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **_: Any) -> None:
        load_environment()
        settings = StoreSettings.from_env()
        check_tracker_database(settings)
        super().__init__(domain=domain, host=settings.tracker_store_url, event_broker=event_broker)
        # Share the WAL-mode engine with the replies and outbox tables.
        self.engine.dispose()
        self.engine = engine_for(settings.tracker_store_url, settings.connect_timeout_seconds)
        self.sessionmaker.configure(bind=self.engine)
        self._kept = settings.tracker_cache_conversations
        self._stored: OrderedDict[str, _Stored] = OrderedDict()
        self._keeping = threading.Lock()  # saves run in threads, retrieves in the loop
        events = self.SQLEvent.__table__
        self._insert = events.insert()
        self._newer_rows = (
            sa.select(events.c.id, events.c.type_name, events.c.data)
            .where(events.c.sender_id == sa.bindparam("sender"))
            .where(events.c.id > sa.bindparam("after"))
            .order_by(events.c.id)
        )
        self._last_id = sa.select(sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender")
        )

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's current session: from memory plus any newer rows."""
        with self._keeping:
            stored = self._stored.pop(sender_id, None)
        if stored is None:
            return self._load(sender_id)
        with self.engine.connect() as connection:
            rows = connection.execute(
                self._newer_rows, {"sender": sender_id, "after": stored.last_id}
            ).all()
        if any(row.type_name == SessionStarted.type_name for row in rows):
            return self._load(sender_id)  # a new session: read it as Rasa would
        if rows:
            stored.events.extend(deserialise_events([json.loads(row.data) for row in rows]))
            stored.last_id = rows[-1].id
        saved, stored.tracker = stored.tracker, None
        self._keep(sender_id, stored)
        if saved is not None and _holds_only(saved, stored.events):
            return saved  # as saved: rebuilding it would replay every event
        return self._tracker(sender_id, stored.events)

    def _load(self, sender_id: str) -> DialogueStateTracker | None:
        """Rasa's query for the current session; the events are kept for the next turn."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        if not rows or not self.domain:
            return None
        events = deserialise_events([json.loads(row.data) for row in rows])
        self._keep(sender_id, _Stored(events, rows[-1].id))
        return self._tracker(sender_id, events)

    def _tracker(self, sender_id: str, events: list[Event]) -> DialogueStateTracker:
        # A tracker of its own: the caller's changes never reach the kept list.
        return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)

    def _keep(self, sender_id: str, stored: _Stored) -> None:
        if self._kept <= 0:
            return
        with self._keeping:
            self._stored[sender_id] = stored
            self._stored.move_to_end(sender_id)
            while len(self._stored) > self._kept:
                self._stored.popitem(last=False)

    def _unsaved(
        self, connection: Connection, tracker: DialogueStateTracker
    ) -> tuple[list[Event], bool]:
        """The tracker's events not stored yet, and whether it grew from the kept events
        (then no query is needed to find them; otherwise Rasa's query counts them)."""
        everything = list(tracker.events)
        with self._keeping:
            stored = self._stored.pop(tracker.sender_id, None)
        known = len(stored.events) if stored is not None else 0
        if stored is not None and known and len(everything) >= known:
            if everything[known - 1] is stored.events[-1]:
                return everything[known:], True
        with Session(bind=connection) as session:
            return list(self._additional_events(session, tracker)), False

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the events not stored yet, then publishes the same events, in a thread
        (the database's waits then hold up no other call)."""
        await asyncio.to_thread(self._save, tracker)

    def _save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        with write_transaction(self.engine) as connection:  # Core: no ORM session per turn
            unsaved, grew = self._unsaved(connection, tracker)
            events = [(e, e.as_dict()) for e in unsaved]
            if events:  # one INSERT for the turn
                connection.execute(self._insert, [self._row(sender_id, *ev) for ev in events])
            last_id = connection.execute(self._last_id, {"sender": sender_id}).scalar()
        # Kept again only when the tracker is the kept events plus this turn's, in
        # the same session; otherwise the next turn reads the conversation as Rasa would.
        if grew and last_id is not None and not any(isinstance(e, SessionStarted) for e in unsaved):
            self._keep(sender_id, _Stored(list(tracker.events), last_id, tracker))
        self._publish(sender_id, [data for _, data in events])

    def _row(self, sender_id: str, event: Event, data: dict[str, Any]) -> dict[str, Any]:
        """The ``events`` row of one event, as Rasa's ``save`` writes it."""
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _publish(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        broker = self.event_broker
        if broker is None or not events:
            return
        bodies = [{"sender_id": sender_id, **data} for data in events]
        publish_many = getattr(broker, "publish_many", None)
        if publish_many is not None:
            publish_many(bodies)
        else:
            for body in bodies:
                broker.publish(body)


def _holds_only(tracker: DialogueStateTracker, events: list[Event]) -> bool:
    """Whether the tracker's events are the stored ones: nothing was added after its
    save, and no other replica's turn came since."""
    return len(tracker.events) == len(events) and (not events or tracker.events[-1] is events[-1])
