"""Plays Twilio's part of one inbound call against the voice webhook.

It posts signed form requests exactly as Twilio does (CallSid, From, To,
CallStatus, SpeechResult, Confidence, Digits), reads the TwiML answers with a
real XML parser, follows ``<Redirect>`` and ``<Gather action>``, and sends the
completed status callback when the call ends. The terminal softphone and the
integration tests drive calls through it.

With the Twilio REST emulator (``emulators.twilio_api``) beside it, it also
plays the media side of a hand-off: it registers the inbound leg, joins the
conference that ``<Dial><Conference>`` names, and while on hold follows a REST
redirect of the live call (``calls(sid).update(url=...)``) as Twilio would.
"""

from __future__ import annotations

import secrets
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests
from twilio.request_validator import RequestValidator

WEBHOOK_PATH = "/webhooks/twilio_voice/webhook"
STATUS_PATH = "/webhooks/twilio_voice/status"
MAX_REDIRECTS = 10
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass
class Turn:
    """What the caller heard after one action, and how the call goes on."""

    says: list[str] = field(default_factory=list)
    gather: dict[str, str] | None = None
    hung_up: bool = False
    twiml: list[str] = field(default_factory=list)
    conference: str | None = None
    agent_joined: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.says)


def new_call_sid() -> str:
    return "CA" + secrets.token_hex(16)


class TwilioCall:
    """One phone call. ``dial()`` first, then ``say``/``press``/``silence``."""

    def __init__(
        self,
        base_url: str,
        auth_token: str,
        *,
        caller: str = "+15555550100",
        called: str = "+15555550199",
        call_sid: str | None = None,
        timeout: float = 20.0,
        twilio_api_url: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.validator = RequestValidator(auth_token)
        self.sid = call_sid or new_call_sid()
        self.caller = caller
        self.called = called
        self.timeout = timeout
        self.action_url: str | None = None
        self.hung_up = False
        self.transcript: list[tuple[str, str]] = []
        self.twilio_api_url = twilio_api_url.rstrip("/") if twilio_api_url else None
        self.conference: str | None = None
        self._after_dial: list[ET.Element] = []
        self.last_request: tuple[str, dict[str, str]] | None = None
        # Seconds each of Twilio's requests took, in order.
        self.durations: list[float] = []

    # -- the caller's actions ---------------------------------------------------

    def dial(self) -> Turn:
        if self.twilio_api_url:
            self._network(
                "POST",
                "/_emulator/calls",
                {"sid": self.sid, "from": self.caller, "to": self.called},
            )
        return self._request(self.base_url + WEBHOOK_PATH, {"CallStatus": "ringing"})

    def say(self, words: str, confidence: float = 0.92) -> Turn:
        self.transcript.append(("caller", words))
        return self._answer({"SpeechResult": words, "Confidence": f"{confidence:.2f}"})

    def press(self, digits: str) -> Turn:
        self.transcript.append(("caller", f"#{digits}"))
        return self._answer({"Digits": digits})

    def silence(self) -> Turn:
        self.transcript.append(("caller", "(silence)"))
        return self._answer({})

    def hang_up(self, status: str = "completed") -> requests.Response:
        self.hung_up = True
        if self.twilio_api_url:
            self._network("POST", f"/_emulator/calls/{self.sid}/hangup", {})
        return self.post(self.base_url + STATUS_PATH, {"CallStatus": status})

    def wait_on_hold(self, timeout: float = 20.0) -> Turn:
        """Waits in the conference until an agent joins, the call is sent back, or it ends."""
        if not (self.conference and self.twilio_api_url):
            raise RuntimeError("the call is not on hold in a conference")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leg = self._network("GET", f"/_emulator/calls/{self.sid}")
            if leg.get("pending_redirect"):
                url = str(leg["pending_redirect"])
                self._network("POST", f"/_emulator/calls/{self.sid}/redirect_taken", {})
                self.conference = None
                return self._request(url, {})
            if leg.get("status") in ENDED:
                turn = Turn()
                for verb in self._after_dial:
                    self._read_verb(verb, self.base_url, turn)
                self.hung_up = True
                return turn
            if self._agent_in_conference():
                return Turn(conference=self.conference, agent_joined=True)
            time.sleep(0.1)
        raise TimeoutError(f"still on hold after {timeout:.0f}s")

    def _agent_in_conference(self) -> bool:
        for conference in self._network("GET", "/_emulator/conferences"):
            if (
                conference.get("friendly_name") == self.conference
                and conference.get("status") == "in-progress"
            ):
                others = [
                    p for p in conference.get("participants", []) if p.get("call_sid") != self.sid
                ]
                return bool(others)
        return False

    def _network(self, method: str, path: str, body: dict | None = None) -> Any:
        reply = requests.request(method, f"{self.twilio_api_url}{path}", json=body, timeout=5)
        reply.raise_for_status()
        return reply.json()

    # -- Twilio's side ---------------------------------------------------------

    def params(self, extra: dict[str, str]) -> dict[str, str]:
        return {
            "AccountSid": "AC" + "0" * 32,
            "ApiVersion": "2010-04-01",
            "CallSid": self.sid,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "From": self.caller,
            "To": self.called,
            **extra,
        }

    def post(self, url: str, extra: dict[str, str]) -> requests.Response:
        """A signed POST, as Twilio sends it."""
        params = self.params(extra)
        signature = self.validator.compute_signature(url, params)
        started = time.monotonic()
        try:
            return requests.post(
                url, data=params, headers={"X-Twilio-Signature": signature}, timeout=self.timeout
            )
        finally:
            self.durations.append(time.monotonic() - started)

    def retry_last_answer(self) -> Turn:
        """Twilio's retry of the caller's last answer, followed like any answer."""
        if self.last_request is None:
            raise RuntimeError("nothing was answered yet")
        self.hung_up = False
        return self._request(*self.last_request)

    def repeat_last_request(self) -> requests.Response:
        """Twilio's retry of the caller's last answer: the same URL, the same parameters."""
        if self.last_request is None:
            raise RuntimeError("nothing was answered yet")
        return self.post(*self.last_request)

    def _answer(self, extra: dict[str, str]) -> Turn:
        if self.hung_up or self.action_url is None:
            raise RuntimeError("the call is not listening (not dialled, or hung up)")
        redirected = self._take_redirect()
        if redirected is not None:
            return redirected  # an agent took the call over while the caller was silent
        self.last_request = (self.action_url, extra)
        return self._request(self.action_url, extra)

    def _take_redirect(self) -> Turn | None:
        """Follows a REST redirect of the live call (a console take-over), as Twilio would."""
        if not self.twilio_api_url:
            return None
        try:
            leg = self._network("GET", f"/_emulator/calls/{self.sid}")
        except requests.RequestException:
            return None
        url = leg.get("pending_redirect")
        if not url:
            return None
        self._network("POST", f"/_emulator/calls/{self.sid}/redirect_taken", {})
        return self._request(str(url), {})

    def _request(self, url: str, extra: dict[str, str]) -> Turn:
        turn = Turn()
        for _ in range(MAX_REDIRECTS):
            reply = self.post(url, extra)
            reply.raise_for_status()
            turn.twiml.append(reply.text)
            redirect = self._read(ET.fromstring(reply.text), url, turn)  # noqa: S314 - our own server
            if redirect is None:
                break
            url, extra = redirect, {}
        for line in turn.says:
            self.transcript.append(("assistant", line))
        if turn.hung_up:
            self.hung_up = True
            self.hang_up()
        return turn

    def _read(self, root: ET.Element, url: str, turn: Turn) -> str | None:
        """Collects what is said; returns a redirect URL to follow, if any."""
        if root.tag != "Response":
            raise ValueError(f"TwiML root is <{root.tag}>, not <Response>")
        verbs = list(root)
        for index, verb in enumerate(verbs):
            if verb.tag == "Dial" and verb.find("Conference") is not None:
                self._enter_conference(verb, turn)
                self._after_dial = verbs[index + 1 :]
                return None
            outcome = self._read_verb(verb, url, turn)
            if outcome is not None:
                return outcome or None
        return None

    def _read_verb(self, verb: ET.Element, url: str, turn: Turn) -> str | None:
        """Plays one verb; a URL to follow, "" when the document stops here, else None."""
        if verb.tag == "Say":
            turn.says.append(" ".join("".join(verb.itertext()).split()))
        elif verb.tag == "Gather":
            for nested in verb:
                if nested.tag == "Say":
                    turn.says.append(" ".join("".join(nested.itertext()).split()))
            turn.gather = dict(verb.attrib)
            self.action_url = urljoin(url, verb.get("action") or url)
            return ""  # Twilio now listens
        elif verb.tag == "Redirect":
            return urljoin(url, (verb.text or "").strip() or url)
        elif verb.tag == "Hangup":
            turn.hung_up = True
            return ""
        return None

    def _enter_conference(self, dial: ET.Element, turn: Turn) -> None:
        conference = dial.find("Conference")
        assert conference is not None
        name = (conference.text or "").strip()
        turn.conference = self.conference = name
        self.action_url = None
        if self.twilio_api_url:
            self._network(
                "POST",
                f"/_emulator/conferences/{name}/participants",
                {
                    "call_sid": self.sid,
                    "start_conference_on_enter": conference.get("startConferenceOnEnter")
                    != "false",
                    "end_conference_on_exit": conference.get("endConferenceOnExit") == "true",
                },
            )
