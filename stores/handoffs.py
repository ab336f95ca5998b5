"""Hand-off records (handoff.record.Handoff) in the tracker database, shared by replicas.

Every change is a compare-and-set on the stage and attempt the caller of
``advance`` last saw: when Twilio reports the same event twice, or to two
replicas, only one of them moves the record (and rings the next agent).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from handoff.record import LIVE, Handoff, Stage
from stores.database import call_table, create_table, delete_older_than, write_transaction

# One row per hand-off to a person (a Handoff), owned by handoff.switchboard.
handoffs = call_table(
    "handoffs",
    "id",
    "caller_sid",
    sa.Column("stage", sa.String(16), nullable=False),  # ringing, offered, connected, returned
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("agents", sa.Text, nullable=False),  # JSON list of phone numbers
    sa.Column("outcome", sa.String(16), nullable=True),  # why it returned
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


class HandoffStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        create_table(engine, handoffs)

    def _create(self, record: Handoff) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(handoffs.insert().values(**_row(record)))

    def _get(self, handoff_id: str) -> Handoff | None:
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(handoffs).where(handoffs.c.id == handoff_id)).first()
        return _record(row._mapping) if row is not None else None

    def _live_for(self, caller_sid: str) -> Handoff | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(handoffs)
                .where(handoffs.c.caller_sid == caller_sid)
                .where(handoffs.c.stage.in_([s.value for s in (*LIVE, Stage.CONNECTED)]))
                .order_by(handoffs.c.created_at.desc())
                .limit(1)
            ).first()
        return _record(row._mapping) if row is not None else None

    def _advance(self, seen: Handoff, new: Handoff) -> Handoff | None:
        new = replace(new, updated_at=time.time())
        with write_transaction(self._engine) as connection:
            moved = connection.execute(
                handoffs.update()
                .where(handoffs.c.id == seen.id)
                .where(handoffs.c.stage == seen.stage.value)
                .where(handoffs.c.attempt == seen.attempt)
                .values(
                    stage=new.stage.value,
                    attempt=new.attempt,
                    outcome=new.outcome,
                    updated_at=new.updated_at,
                )
            ).rowcount
        return new if moved else None

    async def create(self, record: Handoff) -> None:
        await asyncio.to_thread(self._create, record)

    async def get(self, handoff_id: str) -> Handoff | None:
        return await asyncio.to_thread(self._get, handoff_id)

    async def live_for(self, caller_sid: str) -> Handoff | None:
        """The caller's hand-off that is ringing, offered or connected, if any."""
        return await asyncio.to_thread(self._live_for, caller_sid)

    async def advance(self, seen: Handoff, new: Handoff) -> Handoff | None:
        """Saves ``new`` if the record is still as ``seen``; None when another request won."""
        return await asyncio.to_thread(self._advance, seen, new)

    def purge(self, older_than_seconds: float) -> int:
        """Forgets old hand-offs: their summaries name the caller."""
        return delete_older_than(self._engine, handoffs.c.created_at, older_than_seconds)


def _row(record: Handoff) -> dict[str, Any]:
    return {
        "id": record.id,
        "caller_sid": record.caller_sid,
        "summary": record.summary,
        "agents": json.dumps(list(record.agents)),
        "attempt": record.attempt,
        "stage": record.stage.value,
        "outcome": record.outcome,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


def _record(row: Any) -> Handoff:
    return Handoff(
        id=row["id"],
        caller_sid=row["caller_sid"],
        summary=row["summary"],
        agents=tuple(json.loads(row["agents"])),
        attempt=row["attempt"],
        stage=Stage(row["stage"]),
        outcome=row["outcome"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
