"""One inbound phone call, played through the Twilio emulator: you are the caller.

The emulator's phone network places the call: it sends the signed webhooks
Twilio sends, runs the TwiML (``emulators/twilio_api/twiml_runner.py``, the one
TwiML interpreter), follows Redirects and REST updates, puts the leg into a
hand-off's conference and sends the completed status callback. This driver only
answers each ``<Gather>`` (words, keys or silence) and reports what the caller
heard, through the emulator's ``/_emulator/calls/{sid}/caller`` route. The
offline device, the softphone, chaos and the integration tests place calls so.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import requests

from emulators.admin_client import TwilioAdmin

WEBHOOK_PATH = "/webhooks/twilio_voice/webhook"
STATUS_PATH = "/webhooks/twilio_voice/status"


@dataclass
class Turn:
    """What the caller heard after one action, and how the call goes on."""

    says: list[str] = field(default_factory=list)
    gather: dict[str, str] | None = None
    hung_up: bool = False
    twiml: list[str] = field(default_factory=list)
    conference: str | None = None
    agent_joined: bool = False
    server_seconds: list[float | None] = field(default_factory=list)  # Server-Timing, per request

    @property
    def text(self) -> str:
        return " ".join(self.says)


def new_call_sid() -> str:
    return "CA" + secrets.token_hex(16)


class TwilioCall:
    """One phone call. ``dial()`` first, then ``say``/``press``/``silence``."""

    def __init__(
        self,
        voice_url: str,
        twilio_api_url: str,
        *,
        caller: str = "+15555550100",
        called: str = "+15555550199",
        timeout: float = 60.0,
    ) -> None:
        self.voice_url = voice_url.rstrip("/")
        self.admin = TwilioAdmin(twilio_api_url)
        self.sid = new_call_sid()
        self.caller = caller
        self.called = called
        self.timeout = timeout  # for a whole turn (Twilio gives up on each webhook after 15 s)
        self.hung_up = False
        self.conference: str | None = None
        self.gather: dict[str, str] | None = None  # the <Gather> now listening, if any
        self.heard: list[str] = []  # everything the assistant said, in order
        self.durations: list[float] = []  # seconds each of Twilio's webhook requests took
        self.seen = [0, 0, 0]  # what the emulator reported so far: lines, documents, requests

    def dial(self) -> Turn:
        self.admin.dial_in(
            self.sid,
            self.caller,
            self.called,
            self.voice_url + WEBHOOK_PATH,
            self.voice_url + STATUS_PATH,
        )
        return self._act("listen")

    def say(self, words: str, confidence: float = 0.92) -> Turn:
        return self._act("answer", {"SpeechResult": words, "Confidence": f"{confidence:.2f}"})

    def press(self, digits: str) -> Turn:
        return self._act("answer", {"Digits": digits})

    def silence(self) -> Turn:
        return self._act("answer", {})

    def wait_on_hold(self, timeout: float = 20.0) -> Turn:
        """Waits in the conference until an agent joins, the call is sent back, or it ends."""
        return self._act("hold", timeout=timeout)

    def take_redirect(self) -> Turn | None:
        """What the caller hears once a REST update moved the call (None: nothing new yet)."""
        try:
            turn = self._act("listen", timeout=0.1)
        except TimeoutError:
            return None  # moving: between two documents
        return turn if turn.says or turn.hung_up else None

    def hang_up(self) -> dict[str, Any]:
        """The caller hangs up; returns once Twilio's completed status callback was sent."""
        self.hung_up = True
        self.admin.hang_up(self.sid)
        return self._ended()

    def _ended(self) -> dict[str, Any]:
        """The completed status callback as the emulator sent it (``http_status`` or ``error``)."""
        leg = self.admin.wait_for_call(
            self.sid, lambda leg: any(c["event"] == "completed" for c in leg["callbacks"]), 20
        )
        return next(c for c in leg["callbacks"] if c["event"] == "completed")

    def retry_last_answer(self) -> Turn:
        """Twilio's retry of the caller's last answer, followed like any answer."""
        return self._act("retry")

    def repeat_last_request(self) -> str:
        """Twilio's retry of the caller's last answer: the reply (TwiML), not followed."""
        return self.admin.repeat(self.sid)

    def _act(self, action: str, params: dict[str, str] | None = None, **wait: float) -> Turn:
        """TimeoutError when nothing happened in time (408), RuntimeError if refused (409)."""
        try:
            timeout = wait.get("timeout", self.timeout)
            body = self.admin.caller(self.sid, action, params, timeout, self.seen)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else None
            if status in (408, 409):
                problem = error.response.json().get("error", "refused")
                raise (TimeoutError if status == 408 else RuntimeError)(problem) from None
            raise
        return self._heard(body)

    def _heard(self, body: dict[str, Any]) -> Turn:
        turn = Turn(
            says=list(body["heard"]),
            gather=body["gather"],
            hung_up=body["hung_up"],
            twiml=list(body["twiml"]),
            conference=body["conference"],
            agent_joined=body["agent_joined"],
            server_seconds=list(body.get("server_seconds", [])),
        )
        self.durations.extend(body["request_seconds"])
        self.seen = list(body["seen"])
        self.heard.extend(turn.says)
        self.hung_up = turn.hung_up
        self.conference = turn.conference
        self.gather = turn.gather
        if turn.hung_up:
            self._ended()  # what the hang-up leaves behind is in place before the next step
        return turn
