"""The live calls: every call whose events arrived and that has not ended yet.

The feed folds events in; an ended call is handed to the history store and
leaves the board. Pages waiting for news (server-sent events) wait on
``changed()``, so a turn reaches the browser as soon as the feed has read it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from console.calls import CallState, apply, new_call

STALE_SECONDS = 3600.0  # a call with no event for an hour lost its end (crash): close it


class Board:
    def __init__(
        self,
        silence_seconds: float,
        on_ended: Callable[[CallState], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.silence_seconds = silence_seconds
        self.on_ended = on_ended
        self.clock = clock
        self.calls: dict[str, CallState] = {}
        self.finished: set[str] = set()
        self._changed = asyncio.Event()

    def add(self, event_id: int, sender_id: str, event: dict[str, Any]) -> None:
        """Folds one broker row in; rows of calls already ended are skipped."""
        if sender_id in self.finished:
            return
        call = self.calls.get(sender_id)
        if call is None:
            at = float(event.get("timestamp") or self.clock())
            call = self.calls[sender_id] = new_call(sender_id, at)
        apply(call, event, event_id)
        if call.ended_at is not None:
            self._finish(call)
        self._changed.set()

    def close_stale(self) -> None:
        now = self.clock()
        for call in [c for c in self.calls.values() if now - c.last_event_at > STALE_SECONDS]:
            call.ended_at = call.last_event_at
            self._finish(call)
            self._changed.set()

    def _finish(self, call: CallState) -> None:
        self.calls.pop(call.sid, None)
        self.finished.add(call.sid)
        self.on_ended(call)

    async def changed(self, timeout: float) -> None:
        """Returns when something changed, or after ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            return
        self._changed.clear()

    def live(self) -> list[dict[str, Any]]:
        now = self.clock()
        calls = sorted(self.calls.values(), key=lambda c: c.started)
        return [c.summary(now, self.silence_seconds) for c in calls]

    def detail(self, sid: str) -> dict[str, Any] | None:
        call = self.calls.get(sid)
        return call.detail(self.clock(), self.silence_seconds) if call else None
