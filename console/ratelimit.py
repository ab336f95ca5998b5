"""Failed sign-ins, counted per client address and per operator name in a sliding window.

Once either count reaches the limit, sign-ins for that address or name are refused
until old failures leave the window, even with the right password, so guessing
from one address or against one account stays slow.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Callable


class SignInLimiter:
    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures[key]
        cutoff = self.clock() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
            return deque()
        return failures

    def blocked(self, address: str, name: str) -> bool:
        keys = (f"ip:{address}", f"name:{name.lower()}")
        return any(len(self._recent(key)) >= self.limit for key in keys)

    def failed(self, address: str, name: str) -> None:
        now = self.clock()
        for key in (f"ip:{address}", f"name:{name.lower()}"):
            self._failures[key].append(now)
