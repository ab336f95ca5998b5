"""Call locks: in memory for one Rasa process, Redis (keys with a TTL) for replicas.

Rasa's Redis lock store keeps a queue of tickets in one JSON value that each
replica reads, changes and writes back: seven blocking round trips a turn,
on the event loop, and two replicas that read at once can both be served. In
Redis a call's lock here is redis-py's asyncio ``Lock`` instead: one atomic
``SET NX`` with an expiry to take it, one compare-and-delete to give it back,
both awaited. A crashed turn's key expires on its own after the lock's
lifetime. Waiters are not queued in order; a call's turns come one at a time,
and a duplicate webhook is answered from the reply store, not by waiting here.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore

from settings import StoreSettings, load_environment
from stores.database import check_lock_store

logger = logging.getLogger(__name__)
KEY_PREFIX = "lock:"


class RedisCallLocks:
    """Each call's lock as one Redis key that expires after the lock's lifetime."""

    def __init__(self, url: str, timeout: float) -> None:
        import redis.asyncio

        # A pooled connection that Redis dropped (a restart, an idle timeout) is found
        # dead only when used: one retry on a new connection, so no turn fails for it.
        self.red = redis.asyncio.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry_on_error=[redis.asyncio.ConnectionError],
        )

    @asynccontextmanager
    async def hold(self, call: str, lifetime: float, poll_seconds: float) -> AsyncIterator[None]:
        """Holds the call's lock. A holder's key expires within one lifetime, so waiting
        that and a second more sees a crashed holder's go; then it raises LockError."""
        from redis.exceptions import LockNotOwnedError

        lifetime = max(1, math.ceil(lifetime))  # Redis expiries are whole seconds or more
        waiting = lifetime + 1
        lock = self.red.lock(
            KEY_PREFIX + call, timeout=lifetime, sleep=poll_seconds, blocking_timeout=waiting
        )
        if not await lock.acquire():
            raise LockError(f"the call's lock was still held after {waiting} s")
        try:
            yield
        finally:
            try:
                await lock.release()
            except LockNotOwnedError:
                logger.warning("a call's lock expired before its turn ended (after %s s)", lifetime)

    async def ping(self) -> None:
        await self.red.ping()


class ConfiguredLockStore(LockStore):
    """``type: stores.lock_store.ConfiguredLockStore`` in endpoints.yml.

    Only :meth:`lock` is served: Rasa's ticket methods (``get_lock``, ``save_lock``
    ...) stay unimplemented, since a Redis key is not a ticket queue and every
    caller in Rasa and here locks through :meth:`lock`.
    """

    def __init__(self, endpoint_config: Any = None) -> None:
        load_environment()
        settings = StoreSettings.from_env()
        check_lock_store(settings)
        self.redis = (
            RedisCallLocks(settings.lock_store_url, settings.connect_timeout_seconds)
            if settings.lock_store_url
            else None
        )
        self.inner = InMemoryLockStore()  # Rasa's own, for one process
        super().__init__()

    @asynccontextmanager
    async def lock(  # type: ignore[override]  # yields no ticket: no caller reads it
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[None]:
        """Every caller of Rasa's lock store (the channel, Rasa's HTTP API, reminders)
        locks a conversation here."""
        if self.redis is None:
            async with self.inner.lock(conversation_id, lock_lifetime, wait_time_in_seconds):
                yield
            return
        async with self.redis.hold(conversation_id, lock_lifetime, wait_time_in_seconds):
            yield

    async def ping(self) -> None:
        """Raises when the store cannot be reached (for the health route)."""
        if self.redis is not None:
            await self.redis.ping()
