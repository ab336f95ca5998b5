"""Injected failures, so tests and demos can see how the bot copes with a bad day.

Modes: ``none``; ``slow`` (sleep ``delay_seconds`` then answer normally);
``rate_limit`` (429 with ``Retry-After`` and ``X-RateLimit-*`` headers);
``server_error`` (500 envelope); ``hibernating`` (200 HTML page, as a sleeping
developer instance serves). ``count`` limits how many requests a fault hits;
None means until cleared.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

MODES = ("none", "slow", "rate_limit", "server_error", "hibernating")
RATE_LIMIT_RULE = "d3f6a1c0b2e94e7a8c5d0f1e2a3b4c5d"

HIBERNATING_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Instance Hibernating page</title></head>
<body><h1>Your instance is hibernating</h1>
<p>Developer instances hibernate after a period of inactivity.
Sign in to the developer site to wake it up.</p></body></html>
"""


class FaultSettingError(ValueError):
    """A fault request names an unknown mode or a malformed number."""


@dataclass
class Fault:
    mode: str = "none"
    delay_seconds: float = 5.0
    count: int | None = None
    retry_after_seconds: int = 30

    def as_dict(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "delay_seconds": self.delay_seconds,
            "count": self.count,
            "retry_after_seconds": self.retry_after_seconds,
        }


def parse_fault(body: object) -> Fault:
    """A Fault from the JSON body of ``POST /_emulator/faults``."""
    if not isinstance(body, dict):
        raise FaultSettingError("body must be a JSON object")
    mode = body.get("mode", "none")
    if mode not in MODES:
        raise FaultSettingError(f"mode must be one of {', '.join(MODES)}")
    try:
        delay = float(body.get("delay_seconds", 5.0))
        count = body.get("count")
        count = None if count is None else int(count)
        retry_after = int(body.get("retry_after_seconds", 30))
    except (TypeError, ValueError):
        raise FaultSettingError(
            "delay_seconds, count and retry_after_seconds must be numbers"
        ) from None
    if delay < 0 or (count is not None and count < 0) or retry_after < 0:
        raise FaultSettingError("delay_seconds, count and retry_after_seconds must be >= 0")
    return Fault(mode, delay, count, retry_after)


class FaultInjector:
    """Holds the active fault and counts down the requests it affects."""

    def __init__(self, fault: Fault | None = None) -> None:
        self.fault = fault or Fault()

    def set(self, fault: Fault) -> None:
        self.fault = fault if fault.count != 0 else Fault()

    def clear(self) -> None:
        self.fault = Fault()

    def take(self) -> Fault | None:
        """The fault that applies to the current request, if any (uses up one count)."""
        fault = self.fault
        if fault.mode == "none":
            return None
        if fault.count is not None:
            fault.count -= 1
            if fault.count <= 0:
                self.fault = Fault()
        return fault


def rate_limit_headers(fault: Fault) -> dict[str, str]:
    return {
        "Retry-After": str(fault.retry_after_seconds),
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Reset": str(int(time.time()) + fault.retry_after_seconds),
        "X-RateLimit-Rule": RATE_LIMIT_RULE,
    }
