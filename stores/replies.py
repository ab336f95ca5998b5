"""Answers to Twilio's webhook requests, so a retried request is answered, not re-run.

Twilio retries a webhook that timed out or failed, with the same parameters
(and the same ``I-Twilio-Idempotency-Token``). The first request claims its key
and stores its TwiML when the turn is done; a duplicate, on any replica, gets
that TwiML, waiting for it while the first is still running.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stores.database import call_table, create_table, delete_older_than, write_transaction, writing

POLL_SECONDS = 0.1

voice_replies = call_table(
    "voice_replies",
    "request_key",
    "call_sid",
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("twiml", sa.Text, nullable=True),  # NULL while the turn runs
    sa.Column("answered_at", sa.Float, nullable=True),
)
# Built once: SQLAlchemy works out a statement's cache key once per statement object,
# so a statement rebuilt for every request costs that work every time.
_KEY = voice_replies.c.request_key == sa.bindparam("key")
_CLAIM = voice_replies.insert()
_READ = sa.select(voice_replies.c.twiml, voice_replies.c.started_at).where(_KEY)
_TAKE_OVER = (
    voice_replies.update()
    .where(_KEY)
    .where(voice_replies.c.started_at == sa.bindparam("seen"))
    .values(started_at=sa.bindparam("now"))
)
_ANSWER = (
    voice_replies.update()
    .where(_KEY)
    .values(twiml=sa.bindparam("twiml"), answered_at=sa.bindparam("at"))
)
_RELEASE = voice_replies.delete().where(_KEY).where(voice_replies.c.twiml.is_(None))


@dataclass(frozen=True)
class Claim:
    """``owner``: run the turn; otherwise ``twiml`` is the stored answer (or None: running)."""

    owner: bool
    twiml: str | None = None


class ReplyStore:
    def __init__(self, engine: Engine, stale_after_seconds: float) -> None:
        self._engine = engine
        self._stale_after = stale_after_seconds
        create_table(engine, voice_replies)

    def _claim(self, key: str, call_sid: str) -> Claim:
        with writing(self._engine):
            return self._claim_now(key, call_sid)

    def _claim_now(self, key: str, call_sid: str) -> Claim:
        now = time.time()
        with self._engine.begin() as connection:
            try:
                connection.execute(
                    _CLAIM, {"request_key": key, "call_sid": call_sid, "started_at": now}
                )
                return Claim(owner=True)
            except sa.exc.IntegrityError:
                pass
        with self._engine.begin() as connection:
            row = connection.execute(_READ, {"key": key}).one()
            if row.twiml is not None:
                return Claim(owner=False, twiml=row.twiml)
            if row.started_at < now - self._stale_after:
                # The process that claimed it died mid-turn: take it over once.
                seen = {"key": key, "seen": row.started_at, "now": now}
                taken = connection.execute(_TAKE_OVER, seen).rowcount
                return Claim(owner=bool(taken))
            return Claim(owner=False)

    def _answer(self, key: str, twiml: str) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(_ANSWER, {"key": key, "twiml": twiml, "at": time.time()})

    def _release(self, key: str) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(_RELEASE, {"key": key})

    def _get(self, key: str) -> str | None:
        with self._engine.connect() as connection:
            return connection.execute(_READ, {"key": key}).scalar()

    async def claim(self, key: str, call_sid: str) -> Claim:
        return await asyncio.to_thread(self._claim, key, call_sid)

    async def answer(self, key: str, twiml: str) -> None:
        await asyncio.to_thread(self._answer, key, twiml)

    async def release(self, key: str) -> None:
        """Forgets a claim whose turn produced no answer, so a retry runs it."""
        await asyncio.to_thread(self._release, key)

    async def wait(self, key: str, timeout: float) -> str | None:
        """The stored answer for ``key`` once there is one, or None after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            twiml = await asyncio.to_thread(self._get, key)
            if twiml is not None or time.monotonic() >= deadline:
                return twiml
            await asyncio.sleep(POLL_SECONDS)

    def purge(self, older_than_seconds: float) -> int:
        """Forgets answers older than any retry Twilio could still send."""
        return delete_older_than(self._engine, voice_replies.c.started_at, older_than_seconds)
