"""Confirmed ticket requests, kept durably until ServiceNow has each exactly once.

A request is written here before ServiceNow is called. Its key is also the
incident's ``correlation_id``, so whoever delivers it (the action that took the
caller's "yes", or the delivery worker after a crash or an outage) first looks
the key up in ServiceNow and creates the incident only if it is not there.
Claims are leases, so two workers never deliver the same request at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stores.database import call_table, create_table, write_transaction

PENDING, FILED, REJECTED = "pending", "filed", "rejected"

# Confirmed ticket requests, written before ServiceNow is called.
ticket_outbox = call_table(
    "ticket_outbox",
    "correlation_id",
    "call_sid",
    sa.Column("state", sa.String(16), nullable=False, index=True),  # PENDING, FILED, REJECTED
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("incident_number", sa.String(32), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("claimed_until", sa.Float, nullable=False, default=0.0),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("filed_at", sa.Float, nullable=True),
)


@dataclass(frozen=True)
class TicketRequest:
    correlation_id: str
    call_sid: str
    payload: dict[str, Any]
    state: str
    incident_number: str | None
    attempts: int


def _request(row: Any) -> TicketRequest:
    return TicketRequest(
        correlation_id=row.correlation_id,
        call_sid=row.call_sid,
        payload=json.loads(row.payload),
        state=row.state,
        incident_number=row.incident_number,
        attempts=row.attempts,
    )


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        create_table(engine, ticket_outbox)

    # -- blocking core (run in a thread by the async wrappers) -----------------

    def _put(
        self, correlation_id: str, call_sid: str, payload: dict[str, Any], lease_seconds: float
    ) -> tuple[TicketRequest, bool]:
        """Stores the request already claimed for ``lease_seconds``, so no worker takes it
        between the write and the delivery; a request stored before is claimed if free."""
        now = time.time()
        lease = lease_seconds > 0
        inserted = True
        with write_transaction(self._engine) as connection:
            try:
                connection.execute(
                    ticket_outbox.insert().values(
                        correlation_id=correlation_id,
                        call_sid=call_sid,
                        payload=json.dumps(payload),
                        state=PENDING,
                        attempts=1 if lease else 0,
                        next_attempt_at=now,
                        claimed_until=now + lease_seconds if lease else 0.0,
                        created_at=now,
                    )
                )
            except sa.exc.IntegrityError:
                inserted = False  # the same request again: keep the first
        claimed = lease and (inserted or self._claim(correlation_id, lease_seconds, False))
        found = self._get(correlation_id)
        assert found is not None
        return found, claimed

    def _get(self, correlation_id: str) -> TicketRequest | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(ticket_outbox).where(ticket_outbox.c.correlation_id == correlation_id)
            ).first()
        return _request(row) if row else None

    def _claim(self, correlation_id: str, lease_seconds: float, due_only: bool) -> bool:
        now = time.time()
        query = (
            ticket_outbox.update()
            .where(ticket_outbox.c.correlation_id == correlation_id)
            .where(ticket_outbox.c.state == PENDING)
            .where(ticket_outbox.c.claimed_until < now)
        )
        if due_only:
            query = query.where(ticket_outbox.c.next_attempt_at <= now)
        with write_transaction(self._engine) as connection:
            claimed = connection.execute(
                query.values(
                    claimed_until=now + lease_seconds, attempts=ticket_outbox.c.attempts + 1
                )
            ).rowcount
        return bool(claimed)

    def _due(self, limit: int) -> list[str]:
        now = time.time()
        with self._engine.connect() as connection:
            return list(
                connection.execute(
                    sa.select(ticket_outbox.c.correlation_id)
                    .where(ticket_outbox.c.state == PENDING)
                    .where(ticket_outbox.c.next_attempt_at <= now)
                    .where(ticket_outbox.c.claimed_until < now)
                    .order_by(ticket_outbox.c.next_attempt_at)
                    .limit(limit)
                ).scalars()
            )

    def _finish(self, correlation_id: str, **values: Any) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(
                ticket_outbox.update()
                .where(ticket_outbox.c.correlation_id == correlation_id)
                .values(claimed_until=0.0, **values)
            )

    # -- async API ----------------------------------------------------------------

    async def put(
        self, correlation_id: str, call_sid: str, payload: dict[str, Any]
    ) -> TicketRequest:
        """Stores the request (once per key) for the worker, and returns what is stored."""
        request, _ = await asyncio.to_thread(self._put, correlation_id, call_sid, payload, 0.0)
        return request

    async def put_and_claim(
        self, correlation_id: str, call_sid: str, payload: dict[str, Any], lease_seconds: float
    ) -> tuple[TicketRequest, bool]:
        """Stores the request (once per key) and claims it for this caller's turn at once;
        False when someone else is delivering it."""
        return await asyncio.to_thread(self._put, correlation_id, call_sid, payload, lease_seconds)

    async def get(self, correlation_id: str) -> TicketRequest | None:
        return await asyncio.to_thread(self._get, correlation_id)

    async def claim(
        self, correlation_id: str, lease_seconds: float, due_only: bool = False
    ) -> bool:
        """True when this process may deliver the request for ``lease_seconds``."""
        return await asyncio.to_thread(self._claim, correlation_id, lease_seconds, due_only)

    async def due(self, limit: int = 20) -> list[str]:
        return await asyncio.to_thread(self._due, limit)

    async def filed(self, correlation_id: str, incident_number: str) -> None:
        await asyncio.to_thread(
            self._finish,
            correlation_id,
            state=FILED,
            incident_number=incident_number,
            filed_at=time.time(),
            last_error=None,
        )

    async def retry_later(self, correlation_id: str, delay_seconds: float, error: str) -> None:
        await asyncio.to_thread(
            self._finish,
            correlation_id,
            next_attempt_at=time.time() + delay_seconds,
            last_error=error[:500],
        )

    async def rejected(self, correlation_id: str, error: str) -> None:
        await asyncio.to_thread(
            self._finish, correlation_id, state=REJECTED, last_error=error[:500]
        )
