"""Call locks in Redis: one holder at a time across replicas, and a crashed turn's lock
expires within the lock's lifetime. Each test's store is a "replica" of its own."""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from rasa.core.lock_store import LockError

from stack.isolated import REDIS
from stores.lock_store import KEY_PREFIX, ConfiguredLockStore

LIFETIME = 2.0
POLL = 0.01


def _redis_or_skip() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")


def replica(monkeypatch: pytest.MonkeyPatch, url: str = REDIS) -> ConfiguredLockStore:
    monkeypatch.setenv("LOCK_STORE_URL", url)
    monkeypatch.setenv("STORE_CONNECT_TIMEOUT_SECONDS", "1")
    return ConfiguredLockStore()


@pytest.fixture
async def lock_stores(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[ConfiguredLockStore]]:
    _redis_or_skip()
    stores = [replica(monkeypatch), replica(monkeypatch)]
    yield stores
    for store in stores:
        assert store.redis is not None
        await store.redis.red.close()


def new_call() -> str:
    return f"CA{uuid.uuid4().hex}"


async def test_turns_of_one_call_on_two_replicas_never_overlap_and_none_is_lost(
    lock_stores: list[ConfiguredLockStore],
) -> None:
    call, holding, turns = new_call(), [], []
    count = {"value": 0}

    async def turn(store: ConfiguredLockStore, number: int) -> None:
        await asyncio.sleep(random.uniform(0, 0.02))
        async with store.lock(call, LIFETIME, POLL):
            holding.append(number)
            assert len(holding) == 1, f"turns {holding} held the call at once"
            seen = count["value"]
            await asyncio.sleep(random.uniform(0, 0.005))  # a turn's awaits
            count["value"] = seen + 1
            holding.remove(number)
            turns.append(number)

    random.seed(11)
    await asyncio.gather(*(turn(lock_stores[n % 2], n) for n in range(40)))
    assert count["value"] == 40 and sorted(turns) == list(range(40))
    assert await lock_stores[0].redis.red.exists(KEY_PREFIX + call) == 0  # given back


async def test_other_calls_do_not_wait_for_a_held_call(
    lock_stores: list[ConfiguredLockStore],
) -> None:
    async with lock_stores[0].lock(new_call(), LIFETIME, POLL):
        started = time.monotonic()
        async with lock_stores[1].lock(new_call(), LIFETIME, POLL):
            assert time.monotonic() - started < 0.5


async def test_a_stuck_turns_lock_expires_within_the_lifetime(
    lock_stores: list[ConfiguredLockStore], caplog: pytest.LogCaptureFixture
) -> None:
    call = new_call()
    stuck = lock_stores[0].lock(call, LIFETIME, POLL)
    await stuck.__aenter__()  # a turn that hangs (or a replica that died) holding it
    ttl = await lock_stores[0].redis.red.ttl(KEY_PREFIX + call)
    assert 0 < ttl <= LIFETIME
    started = time.monotonic()
    async with lock_stores[1].lock(call, LIFETIME, POLL):
        waited = time.monotonic() - started
        await stuck.__aexit__(None, None, None)  # it ends late: the lock is no longer its own
        assert await lock_stores[0].redis.red.exists(KEY_PREFIX + call) == 1  # still held here
    assert 0.5 < waited <= LIFETIME + 0.5  # the key expired: no extra wait
    assert "expired before its turn ended" in caplog.text


async def test_a_lock_held_past_every_wait_is_a_lock_error_not_a_hang(
    lock_stores: list[ConfiguredLockStore],
) -> None:
    call = new_call()
    redis = lock_stores[0].redis.red
    await redis.set(KEY_PREFIX + call, "another holder", ex=30)  # longer than any turn
    try:
        started = time.monotonic()
        with pytest.raises(LockError):
            async with lock_stores[1].lock(call, 1.0, POLL):
                pass
        assert time.monotonic() - started < 3.0  # a lifetime and a second, then the error
    finally:
        await redis.delete(KEY_PREFIX + call)


async def test_an_unreachable_redis_is_a_redis_error_and_the_ping_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import redis

    from stack.processes import free_port

    _redis_or_skip()  # the store's start-up check would fail before the test otherwise
    store = replica(monkeypatch)
    store.redis.red = redis.asyncio.Redis(port=free_port(), socket_connect_timeout=1)
    with pytest.raises(redis.RedisError):
        async with store.lock(new_call(), LIFETIME, POLL):
            pass
    with pytest.raises(redis.RedisError):
        await store.ping()


async def test_without_redis_the_lock_is_rasas_in_memory_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = replica(monkeypatch, url="")
    assert store.redis is None
    call, order = new_call(), []

    async def turn(number: int) -> None:
        async with store.lock(call, LIFETIME, POLL):
            order.append(("in", number))
            await asyncio.sleep(0.01)
            order.append(("out", number))

    await asyncio.gather(turn(1), turn(2))
    assert [step for step, _ in order] == ["in", "out", "in", "out"]
    await store.ping()  # nothing to reach


def test_replicas_in_threads_of_their_own_never_hold_a_call_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two replicas, each with its own event loop, take one call's lock 60 times each
    with a read, an await and a write of a shared count in between: none is lost."""
    _redis_or_skip()
    stores = [replica(monkeypatch), replica(monkeypatch)]
    call, count, holders, overlaps = new_call(), [0], [0], [0]

    async def turns(store: ConfiguredLockStore) -> None:
        for _ in range(60):
            async with store.lock(call, LIFETIME, POLL):
                holders[0] += 1
                overlaps[0] += holders[0] > 1
                seen = count[0]
                await asyncio.sleep(0.0005)  # a turn's awaits: the other replica runs
                count[0] = seen + 1
                holders[0] -= 1
        await store.redis.red.close()

    threads = [threading.Thread(target=asyncio.run, args=(turns(s),)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert overlaps[0] == 0 and count[0] == 120


async def test_a_connection_redis_dropped_between_turns_costs_no_turn(
    lock_stores: list[ConfiguredLockStore],
) -> None:
    """A restarted Redis (or a proxy's idle timeout) leaves the pooled connection dead:
    the next turn's lock reconnects instead of failing the caller's turn."""
    import redis

    store, call = lock_stores[0], new_call()
    async with store.lock(call, LIFETIME, POLL):
        connection_id = await store.redis.red.client_id()
    redis.Redis.from_url(REDIS).client_kill_filter(_id=connection_id)
    for _ in range(3):
        async with store.lock(call, LIFETIME, POLL):
            pass
