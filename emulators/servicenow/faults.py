"""Injected failures, so tests and demos can see how the bot copes with a bad day.

Modes: ``none``; ``slow`` (sleep ``delay_seconds`` then answer normally);
``rate_limit`` (429 with ``Retry-After`` and ``X-RateLimit-*`` headers);
``server_error`` (500 envelope); ``hibernating`` (200 HTML page, as a sleeping
developer instance serves); ``slow_after_commit`` (a create is written, then
the answer waits ``delay_seconds``); ``drop_after_commit`` (a create is
written, then the connection is closed without an answer). ``count`` limits
how many requests a fault hits; None means until cleared.
"""

from __future__ import annotations

import time

from emulators.faults import Fault, FaultInjector, FaultSettingError
from emulators.faults import parse_fault as parse_any_fault

MODES = (
    "none",
    "slow",
    "rate_limit",
    "server_error",
    "hibernating",
    "slow_after_commit",
    "drop_after_commit",
)
# Modes that let the write happen and then fail the answer (creates only).
AFTER_COMMIT = frozenset({"slow_after_commit", "drop_after_commit"})
RATE_LIMIT_RULE = "d3f6a1c0b2e94e7a8c5d0f1e2a3b4c5d"

HIBERNATING_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Instance Hibernating page</title></head>
<body><h1>Your instance is hibernating</h1>
<p>Developer instances hibernate after a period of inactivity.
Sign in to the developer site to wake it up.</p></body></html>
"""


def rate_limit_headers(fault: Fault) -> dict[str, str]:
    return {
        "Retry-After": str(fault.retry_after_seconds),
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Reset": str(int(time.time()) + fault.retry_after_seconds),
        "X-RateLimit-Rule": RATE_LIMIT_RULE,
    }


def parse_fault(body: object) -> Fault:
    """A Fault of one of this emulator's modes, from ``POST /_emulator/faults``."""
    return parse_any_fault(body, MODES)


__all__ = ["MODES", "Fault", "FaultInjector", "FaultSettingError", "parse_fault"]
