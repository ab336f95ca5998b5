"""Injected failures shared by the emulators, so tests and demos can see how the
assistant copes with a bad day.

Each emulator names its own modes and renders them as HTTP answers; this module
holds what they share: the fault itself, how ``POST /_emulator/faults`` is read,
and the countdown of the requests a fault hits (``count``; None means until
cleared).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass


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


def parse_fault(body: object, modes: Sequence[str]) -> Fault:
    """A Fault from the JSON body of ``POST /_emulator/faults``."""
    if not isinstance(body, dict):
        raise FaultSettingError("body must be a JSON object")
    mode = body.get("mode", "none")
    if mode not in modes:
        raise FaultSettingError(f"mode must be one of {', '.join(modes)}")
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


def startup_fault(mode: str | None, delay_variable: str) -> Fault | None:
    """The fault ``--fault`` (or its environment variable) asks for from the start."""
    if not mode or mode == "none":
        return None
    return Fault(mode=mode, delay_seconds=float(os.environ.get(delay_variable) or 5.0))
