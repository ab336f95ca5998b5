"""Rasa's SQL event broker, writing a turn's events in one transaction.

Rasa's ``SQLEventBroker`` commits every event on its own, on a new SQLite
connection in rollback-journal mode: one disk wait per event, about ten per
turn. This one shares :func:`stores.database.engine_for` (pooled connections,
WAL, ``synchronous=NORMAL``) and takes a turn's events at once
(:meth:`publish_many`, called by :mod:`stores.tracker_store`, one INSERT). The table is
Rasa's own ``events`` (id, sender_id, data), which the agent console reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rasa.core.brokers.sql import SQLEventBroker

from stores.database import engine_for, write_transaction


class BatchedSQLEventBroker(SQLEventBroker):
    """``event_broker: type: stores.event_broker.BatchedSQLEventBroker`` in endpoints.yml."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        url = self.engine.url.render_as_string(hide_password=False)
        self.engine.dispose()
        self.engine = engine_for(url)
        self.sessionmaker.configure(bind=self.engine)
        self._insert = self.SQLBrokerEvent.__table__.insert()  # built once (its cache key)

    def publish_many(self, events: Iterable[dict[str, Any]]) -> None:
        """Stores ``events`` (as ``publish`` takes them) in one transaction."""
        rows = [
            {"sender_id": event.get("sender_id"), "data": json.dumps(event)} for event in events
        ]
        if not rows:
            return
        with write_transaction(self.engine) as connection:  # one INSERT, no ORM session
            connection.execute(self._insert, rows)

    def publish(self, event: dict[str, Any]) -> None:
        self.publish_many([event])
