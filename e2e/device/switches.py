"""Test settings that flip a local emulator, so a test can script a bad day.

A test file sets one for the whole call (``configuration:
virtualDeviceConfig: {servicenowFault: server_error}``) or for one step
(``- set servicenowFault: server_error``, applied just before that step is
spoken), as a word or as the emulator's JSON body (``{"mode": "slow",
"delay_seconds": 8}``). The offline device turns it into the emulator's admin
request and puts the emulator back when the call ends. Bespoken's real device
knows none of these, so such files carry the ``offline-only`` tag and the
real-number run excludes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import requests

from emulators.admin_client import ServiceNowAdmin, TwilioAdmin

# setting -> (emulator, the field of its admin request the value is, the value to reset to):
# the ServiceNow emulator's fault mode; how every agent's phone ("*") answers a hand-off.
SWITCHES = {
    "servicenowFault": ("servicenow", "mode", "none"),
    "agentBehaviour": ("twilio", "behaviour", "accept"),
}


class SwitchError(RuntimeError):
    """A switch could not be set (no such emulator here, or it refused)."""


class Switchboard:
    """Sets switches on the emulators at ``services`` (name -> base URL)."""

    def __init__(self, services: Mapping[str, str]) -> None:
        self.admins = {
            name: (ServiceNowAdmin if name == "servicenow" else TwilioAdmin)(url)
            for name, url in services.items()
            if url
        }
        self._touched: set[str] = set()

    def apply(self, settings: Mapping[str, Any]) -> None:
        for name, value in settings.items():
            if name in SWITCHES:
                self._set(name, value)
                self._touched.add(name)

    def reset(self) -> None:
        """Puts back every emulator a switch touched (errors are collected, then raised)."""
        problems = []
        for name in sorted(self._touched):
            try:
                self._set(name, SWITCHES[name][2])
            except SwitchError as error:
                problems.append(str(error))
        self._touched.clear()
        if problems:
            raise SwitchError("; ".join(problems))

    def _set(self, name: str, value: Any) -> None:
        service, field, reset = SWITCHES[name]
        admin = self.admins.get(service)
        if admin is None:
            raise SwitchError(
                f"{name} needs the {service} emulator, which this device was not given"
            )
        try:
            if isinstance(value, str) and value.strip().startswith("{"):
                value = json.loads(value)
            options = {field: reset, **value} if isinstance(value, Mapping) else {field: str(value)}
            if isinstance(admin, TwilioAdmin):
                admin.set_agent("*", **options)
            else:
                admin.set_fault(**options)
        except requests.HTTPError as error:
            reply = error.response
            detail = f"{reply.status_code} {reply.text[:200]}" if reply is not None else error
            raise SwitchError(f"{name}: {detail}") from None
        except (requests.RequestException, TypeError, ValueError) as error:
            raise SwitchError(f"{name}: {error}") from None
