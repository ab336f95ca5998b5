"""Call locks: in memory for one Rasa process, Redis (keys with a TTL) for replicas."""

from __future__ import annotations

import math
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

from settings import StoreSettings, load_environment
from stores.database import check_lock_store


class ExpiringRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, but a crashed turn's key expires on its own."""

    def __init__(self, url: str, lifetime_seconds: float, timeout: float) -> None:
        import redis

        LockStore.__init__(self)
        self.red = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        self.key_prefix = "lock:"
        self._ttl = max(1, math.ceil(lifetime_seconds))

    def save_lock(self, lock: TicketLock) -> None:
        self.red.set(self.key_prefix + lock.conversation_id, lock.dumps(), ex=self._ttl)


class ConfiguredLockStore(LockStore):
    """``type: stores.lock_store.ConfiguredLockStore`` in endpoints.yml."""

    def __init__(self, endpoint_config: Any = None) -> None:
        load_environment()
        settings = StoreSettings.from_env()
        check_lock_store(settings)
        self.lifetime_seconds = settings.lock_lifetime_seconds
        self.inner: LockStore = (
            ExpiringRedisLockStore(
                settings.lock_store_url,
                settings.lock_lifetime_seconds,
                settings.connect_timeout_seconds,
            )
            if settings.lock_store_url
            else InMemoryLockStore()
        )
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.inner.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.inner.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.inner.save_lock(lock)

    def ping(self) -> None:
        """Raises when the store cannot be reached (for the health route)."""
        self.inner.get_lock("health-probe")
