"""One answer per Twilio request: claimed once, stored, replayed, taken over when stale."""

from __future__ import annotations

import asyncio
from pathlib import Path

from stores.database import engine_for
from stores.replies import ReplyStore


def store(tmp_path: Path, stale_after: float = 60.0) -> ReplyStore:
    return ReplyStore(engine_for(f"sqlite:///{tmp_path / 'replies.sqlite3'}"), stale_after)


def test_the_first_request_runs_the_turn_and_a_retry_gets_its_answer(tmp_path: Path) -> None:
    replies = store(tmp_path)
    assert asyncio.run(replies.claim("k1", "CA1")).owner
    running = asyncio.run(replies.claim("k1", "CA1"))
    assert (running.owner, running.twiml) == (False, None)  # still running: wait for it
    asyncio.run(replies.answer("k1", "<Response/>"))
    retry = asyncio.run(replies.claim("k1", "CA1"))
    assert (retry.owner, retry.twiml) == (False, "<Response/>")
    assert asyncio.run(replies.wait("k1", 0.1)) == "<Response/>"
    assert asyncio.run(replies.claim("k2", "CA1")).owner  # another request of the call


def test_a_claim_whose_process_died_is_taken_over(tmp_path: Path) -> None:
    replies = store(tmp_path, stale_after=0.0)
    assert asyncio.run(replies.claim("k1", "CA1")).owner
    asyncio.run(asyncio.sleep(0.01))
    assert asyncio.run(replies.claim("k1", "CA1")).owner  # the first owner is gone


def test_a_released_claim_lets_the_retry_run_the_turn(tmp_path: Path) -> None:
    replies = store(tmp_path)
    assert asyncio.run(replies.claim("k1", "CA1")).owner
    asyncio.run(replies.release("k1"))
    assert asyncio.run(replies.wait("k1", 0.0)) is None
    assert asyncio.run(replies.claim("k1", "CA1")).owner
    asyncio.run(replies.answer("k1", "<Response/>"))
    asyncio.run(replies.release("k1"))  # an answered request is never released
    assert asyncio.run(replies.wait("k1", 0.0)) == "<Response/>"
