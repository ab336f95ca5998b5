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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests


class SwitchError(RuntimeError):
    """A switch could not be set (no such emulator here, or it refused)."""


@dataclass(frozen=True)
class Switch:
    """``setting`` in a test -> ``POST <service><path>`` with ``{**fixed, field: value}``."""

    setting: str
    service: str
    path: str
    field: str
    reset: str
    fixed: tuple[tuple[str, str], ...] = ()


SWITCHES: dict[str, Switch] = {
    switch.setting: switch
    for switch in (
        # emulators/servicenow/faults.py: none, slow, rate_limit, server_error, hibernating
        Switch("servicenowFault", "servicenow", "/_emulator/faults", "mode", "none"),
        # emulators/twilio_api/admin.py: how every agent's phone answers a hand-off
        # (accept, decline, silent, busy, no-answer); "*" is the default agent.
        Switch(
            "agentBehaviour",
            "twilio",
            "/_emulator/agents",
            "behaviour",
            "accept",
            (("number", "*"),),
        ),
    )
}


def switch_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings among ``settings`` that are switches."""
    return {name: value for name, value in settings.items() if name in SWITCHES}


def _body(switch: Switch, value: Any) -> dict[str, Any]:
    """``"server_error"`` or ``{"mode": "slow", "delay_seconds": 8}`` (also as JSON text)."""
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            raise SwitchError(f"{switch.setting}: {value!r} is not valid JSON") from None
    if isinstance(value, Mapping):
        return {**dict(switch.fixed), switch.field: switch.reset, **value}
    return {**dict(switch.fixed), switch.field: str(value)}


class Switchboard:
    """Sets switches on the emulators at ``services`` (name -> base URL)."""

    def __init__(self, services: Mapping[str, str], timeout: float = 5.0) -> None:
        self.services = {name: url.rstrip("/") for name, url in services.items() if url}
        self.timeout = timeout
        self._touched: dict[str, Switch] = {}

    def apply(self, settings: Mapping[str, Any]) -> None:
        for name, value in switch_settings(settings).items():
            switch = SWITCHES[name]
            self._post(switch, _body(switch, value))
            self._touched[name] = switch

    def reset(self) -> None:
        """Puts back every emulator a switch touched (errors are collected, then raised)."""
        problems = []
        for switch in self._touched.values():
            try:
                self._post(switch, {**dict(switch.fixed), switch.field: switch.reset})
            except SwitchError as error:
                problems.append(str(error))
        self._touched.clear()
        if problems:
            raise SwitchError("; ".join(problems))

    def _post(self, switch: Switch, body: dict[str, Any]) -> None:
        base = self.services.get(switch.service)
        if base is None:
            raise SwitchError(
                f"{switch.setting} needs the {switch.service} emulator, "
                "which this device was not given"
            )
        try:
            reply = requests.post(base + switch.path, json=body, timeout=self.timeout)
        except requests.RequestException as error:
            raise SwitchError(f"{switch.setting}: {error}") from None
        if not reply.ok:
            raise SwitchError(f"{switch.setting}: {reply.status_code} {reply.text[:200]}")
