"""Rasa's SQL tracker store, configured by ``TRACKER_STORE_URL`` and checked fast.

Rasa's own SQLTrackerStore retries an unreachable database forever (five
seconds at a time); this one checks the database once with a short timeout and
fails with one line naming the store and the fix. SQLite (the default) runs in
WAL mode so the action server can share the file for the ticket outbox.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore

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
