"""Faults the REST API can be told to show, for tests and demos.

``unauthorized`` answers 401 (code 20003) whatever the credentials;
``server_error`` answers 500 (code 20500); ``slow`` waits ``delay_seconds``
before answering normally. ``count`` limits how many API requests a fault hits;
None means until cleared. Webhooks and callbacks the network sends are not
affected.
"""

from __future__ import annotations

from emulators.faults import Fault, FaultInjector, FaultSettingError
from emulators.faults import parse_fault as parse_any_fault

MODES = ("none", "unauthorized", "server_error", "slow")


def parse_fault(body: object) -> Fault:
    """A Fault of one of this emulator's modes, from ``POST /_emulator/faults``."""
    return parse_any_fault(body, MODES)


__all__ = ["MODES", "Fault", "FaultInjector", "FaultSettingError", "parse_fault"]
