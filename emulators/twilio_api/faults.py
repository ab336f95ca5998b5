"""Faults the REST API can be told to show, for tests and demos.

``unauthorized`` answers 401 (code 20003) whatever the credentials;
``server_error`` answers 500 (code 20500); ``slow`` waits ``delay_seconds``
before answering normally. ``count`` limits how many API requests a fault hits;
None means until cleared. Webhooks and callbacks the network sends are not
affected.
"""

from __future__ import annotations

from dataclasses import dataclass

MODES = ("none", "unauthorized", "server_error", "slow")


class FaultSettingError(ValueError):
    """A fault request names an unknown mode or a malformed number."""


@dataclass
class Fault:
    mode: str = "none"
    delay_seconds: float = 5.0
    count: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"mode": self.mode, "delay_seconds": self.delay_seconds, "count": self.count}


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
    except (TypeError, ValueError):
        raise FaultSettingError("delay_seconds and count must be numbers") from None
    if delay < 0 or (count is not None and count < 0):
        raise FaultSettingError("delay_seconds and count must be >= 0")
    return Fault(mode, delay, count)


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
