"""The one client of each emulator's ``/_emulator`` admin routes.

Tests, the offline device, the softphone, chaos and the caller-side driver all
steer the emulators through these two classes, so an admin route changes in
one place. A refused request raises ``requests.HTTPError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

ADMIN_TIMEOUT_SECONDS = 5.0
# The isolated stacks' ServiceNow login (stack.isolated), loopback only.
SERVICENOW_LOGIN = ("admin", "admin")


class _Admin:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def _admin(
        self, method: str, path: str, body: Any = None, timeout=ADMIN_TIMEOUT_SECONDS, text=False
    ) -> Any:
        """The route's JSON answer (its text with ``text``)."""
        reply = requests.request(
            method, f"{self.base_url}/_emulator{path}", json=body, timeout=timeout
        )
        reply.raise_for_status()
        return reply.text if text else reply.json()

    def set_fault(self, mode: str, **options: Any) -> dict[str, Any]:
        """Make the emulator's API fail in ``mode`` (``none`` clears it); see its app.py."""
        return self._admin("POST", "/faults", {"mode": mode, **options})

    def reset(self) -> None:
        self._admin("POST", "/reset", {})


class ServiceNowAdmin(_Admin):
    """The ServiceNow emulator: faults, reset, and incidents as stored (raw values)."""

    def incidents(self, query: str) -> list[dict[str, Any]]:
        reply = requests.get(
            f"{self.base_url}/api/now/table/incident",
            params={"sysparm_query": query, "sysparm_exclude_reference_link": "true"},
            auth=SERVICENOW_LOGIN,
            timeout=ADMIN_TIMEOUT_SECONDS,
        )
        reply.raise_for_status()
        return reply.json()["result"]


class TwilioAdmin(_Admin):
    """The Twilio emulator: agents' phones, calls, the caller's leg."""

    def set_agent(
        self, number: str, behaviour: str, ring_seconds: float | None = None
    ) -> dict[str, Any]:
        """How the phone at ``number`` ('*': every other number) answers:
        accept | decline | silent | busy | no-answer | manual."""
        body: dict[str, Any] = {"number": number, "behaviour": behaviour}
        if ring_seconds is not None:
            body["ring_seconds"] = ring_seconds
        return self._admin("POST", "/agents", body)

    def calls(self) -> list[dict[str, Any]]:
        return self._admin("GET", "/calls")

    def agent_calls(self) -> list[dict[str, Any]]:
        """Calls the emulator placed to agents (newest last)."""
        return [call for call in self.calls() if call.get("direction") == "outbound-api"]

    def call(self, sid: str) -> dict[str, Any]:
        return self._admin("GET", f"/calls/{sid}")

    def dial_in(
        self, sid: str, from_: str, to: str, url: str | None = None, status_callback: str = ""
    ) -> dict[str, Any]:
        """A caller dials the application at ``url`` (None: a leg that only waits)."""
        body = {"sid": sid, "from": from_, "to": to, "url": url}
        return self._admin("POST", "/calls", {**body, "status_callback": status_callback or None})

    def caller(
        self, sid: str, action: str, params: dict[str, str] | None, timeout: float, seen: list[int]
    ) -> dict[str, Any]:
        """Plays the caller of an inbound leg (listen, answer, hold, retry); see admin.py."""
        body = {"action": action, "params": params or {}, "timeout": timeout, "seen": seen}
        return self._admin("POST", f"/calls/{sid}/caller", body, timeout + 5)

    def repeat(self, sid: str) -> str:
        """The call's last webhook request sent again: the application's answer."""
        return self._admin("POST", f"/calls/{sid}/repeat", timeout=30, text=True)

    def hang_up(self, sid: str) -> dict[str, Any]:
        return self._admin("POST", f"/calls/{sid}/hangup", {})

    def answer(self, sid: str, behaviour: str = "accept") -> dict[str, Any]:
        """Decide for a ``manual`` phone that is ringing."""
        return self._admin("POST", f"/calls/{sid}/answer", {"behaviour": behaviour})

    def wait_for_call(
        self, sid: str, condition: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> dict[str, Any]:
        """Poll the call until ``condition`` holds; TimeoutError with its last state if not."""
        deadline = time.monotonic() + timeout
        while True:
            call = self.call(sid)
            if condition(call):
                return call
            if time.monotonic() > deadline:
                raise TimeoutError(f"call {sid} never got there: {call}")
            time.sleep(0.02)

    def ringing(self, timeout: float = 10.0) -> dict[str, Any] | None:
        """The first agent call waiting for a person to answer (a ``manual`` phone)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ringing := [call for call in self.agent_calls() if call.get("awaiting_answer")]:
                return ringing[0]
            time.sleep(0.2)
        return None
