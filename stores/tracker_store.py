"""Rasa's SQL tracker store, configured by ``TRACKER_STORE_URL`` and checked fast.

Rasa's own SQLTrackerStore retries an unreachable database forever (five
seconds at a time); this one checks the database once with a short timeout and
fails with one line naming the store and the fix. SQLite (the default) runs in
WAL mode so the action server can share the file for the ticket outbox.

Saving finds a turn's new events once and hands them to the event broker in
one batch: Rasa's ``save`` reads the whole conversation back from the database
to find them for the broker, which then commits each event on its own.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from settings import StoreSettings, load_environment
from stores.database import check_tracker_database, engine_for


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

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the events not stored yet, then publishes the same events."""
        with self.session_scope() as session:
            events = [(e, e.as_dict()) for e in self._additional_events(session, tracker)]
            session.add_all(self._row(tracker.sender_id, *event) for event in events)
            session.commit()
        self._publish(tracker.sender_id, [data for _, data in events])

    def _row(self, sender_id: str, event: Event, data: dict[str, Any]) -> Any:
        """The ``events`` row of one event, as Rasa's ``save`` writes it."""
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

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
