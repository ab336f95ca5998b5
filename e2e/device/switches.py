"""Test settings that flip a local emulator, so a test can script a bad day.

A test file sets one for the whole call (``configuration:
virtualDeviceConfig: {servicenowFault: server_error}``) or for one step
(``- set servicenowFault: server_error``, applied just before that step is
spoken). The offline device turns it into the emulator's control request and
puts the emulator back when the call ends. Bespoken's real device knows none
of these, so such files carry the ``offline-only`` tag and the real-number run
excludes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from emulators.admin_client import ServiceNowAdmin, TwilioAdmin


class SwitchError(RuntimeError):
    """A switch could not be set (no such emulator here, or it refused)."""


@dataclass(frozen=True)
class Switch:
    """``setting`` in a test -> ``set(admin, **{field: value, ...})`` on one emulator."""

    setting: str
    service: str
    field: str
    reset: str
    set: Callable[..., Any]


SWITCHES: dict[str, Switch] = {
    switch.setting: switch
    for switch in (
        # emulators/servicenow/faults.py: none, slow, rate_limit, server_error, hibernating
        Switch("servicenowFault", "servicenow", "mode", "none", ServiceNowAdmin.set_fault),
        # emulators/twilio_api/admin.py: how every agent's phone answers a hand-off
        # (accept, decline, silent, busy, no-answer); "*" is the default agent.
        Switch(
            "agentBehaviour",
            "twilio",
            "behaviour",
            "accept",
            lambda admin, **options: TwilioAdmin.set_agent(admin, "*", **options),
        ),
    )
}
ADMINS = {"servicenow": ServiceNowAdmin, "twilio": TwilioAdmin}


def switch_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings among ``settings`` that are switches."""
    return {name: value for name, value in settings.items() if name in SWITCHES}


def _options(switch: Switch, value: Any) -> dict[str, Any]:
    """``"server_error"`` or ``{"mode": "slow", "delay_seconds": 8}`` (also as JSON text)."""
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            raise SwitchError(f"{switch.setting}: {value!r} is not valid JSON") from None
    if isinstance(value, Mapping):
        return {switch.field: switch.reset, **value}
    return {switch.field: str(value)}


class Switchboard:
    """Sets switches on the emulators at ``services`` (name -> base URL)."""

    def __init__(self, services: Mapping[str, str]) -> None:
        self.admins = {name: ADMINS[name](url) for name, url in services.items() if url}
        self._touched: dict[str, Switch] = {}

    def apply(self, settings: Mapping[str, Any]) -> None:
        for name, value in switch_settings(settings).items():
            switch = SWITCHES[name]
            self._set(switch, _options(switch, value))
            self._touched[name] = switch

    def reset(self) -> None:
        """Puts back every emulator a switch touched (errors are collected, then raised)."""
        problems = []
        for switch in self._touched.values():
            try:
                self._set(switch, {switch.field: switch.reset})
            except SwitchError as error:
                problems.append(str(error))
        self._touched.clear()
        if problems:
            raise SwitchError("; ".join(problems))

    def _set(self, switch: Switch, options: dict[str, Any]) -> None:
        admin = self.admins.get(switch.service)
        if admin is None:
            raise SwitchError(
                f"{switch.setting} needs the {switch.service} emulator, "
                "which this device was not given"
            )
        try:
            switch.set(admin, **options)
        except requests.HTTPError as error:
            reply = error.response
            detail = f"{reply.status_code} {reply.text[:200]}" if reply is not None else error
            raise SwitchError(f"{switch.setting}: {detail}") from None
        except (requests.RequestException, TypeError) as error:
            raise SwitchError(f"{switch.setting}: {error}") from None
