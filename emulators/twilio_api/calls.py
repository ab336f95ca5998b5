"""Calls, conferences and their participants: the emulator's state and its rules.

Pure bookkeeping, no I/O: the network (``network.py``) drives outbound legs and
sends callbacks; this module says what a leg, a conference and a participant
look like and what joining and leaving a conference does. A conference starts
(``init`` -> ``in-progress``) when a participant with ``startConferenceOnEnter``
joins and ends when a participant with ``endConferenceOnExit`` leaves or the
last one goes; only live conferences are kept, so a name is reusable once its
conference has ended.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

TERMINAL = ("completed", "busy", "no-answer", "failed", "canceled")


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class AgentSetting:
    """How the phone at one number behaves when the network rings it."""

    behaviour: str
    ring_seconds: float


@dataclass
class Leg:
    """One call leg: an outbound-api leg answered by an agent's phone, or an inbound leg
    whose caller is a driver (``emulators.twilio_call``) answering each ``<Gather>``."""

    sid: str
    account_sid: str
    to: str
    from_: str
    direction: str  # "outbound-api" or "inbound"
    status: str = "queued"
    date_created: datetime = field(default_factory=now)
    start_time: datetime | None = None
    end_time: datetime | None = None
    url: str | None = None
    twiml: str | None = None
    status_callback: str | None = None
    status_callback_events: tuple[str, ...] = ("completed",)
    timeout: int = 60
    behaviour: str | None = None
    heard: list[str] = field(default_factory=list)
    digits: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    redirects: list[str] = field(default_factory=list)
    callbacks: list[dict[str, object]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    conference: str | None = None
    conferences_joined: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)  # every TwiML document fetched, as is
    request_seconds: list[float] = field(default_factory=list)  # how long each webhook took
    server_seconds: list[float | None] = field(default_factory=list)  # ... by its Server-Timing
    last_answer: tuple[str, dict[str, str]] | None = None  # the last <Gather> answer sent
    listening: dict[str, str] | None = None  # the <Gather> a driven leg waits at
    inputs: asyncio.Queue = field(default_factory=asyncio.Queue)  # the caller's answers
    progress: asyncio.Event = field(default_factory=asyncio.Event)  # the driver may look again
    awaiting_answer: bool = False
    decision: str | None = None
    decided: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None
    callback_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    sequence: int = 0

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    @property
    def duration(self) -> int | None:
        """Whole seconds from answer to hang-up; None while live or when never answered."""
        if self.end_time is None:
            return None
        if self.start_time is None:
            return 0
        return int((self.end_time - self.start_time).total_seconds())


@dataclass
class Participant:
    end_conference_on_exit: bool
    gone: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Conference:
    friendly_name: str
    status: str = "init"
    participants: dict[str, Participant] = field(default_factory=dict)


class Exchange:
    """Every call and conference of the account, and the agents' phone settings."""

    def __init__(self, account_sid: str, default_agent: AgentSetting) -> None:
        self.account_sid = account_sid
        self.default_agent = self.initial_agent = default_agent
        self.calls: dict[str, Leg] = {}
        self.conferences: dict[str, Conference] = {}  # the live ones, by name
        self.agents: dict[str, AgentSetting] = {}

    def reset(self) -> None:
        self.calls.clear()
        self.conferences.clear()
        self.agents.clear()
        self.default_agent = self.initial_agent

    def place(self, to: str, from_: str, **details: object) -> Leg:
        """A new outbound-api leg, queued."""
        sid = "CA" + secrets.token_hex(16)  # Twilio's shape: two letters, 32 hex digits
        call = Leg(sid, self.account_sid, to, from_, "outbound-api", **details)
        self.calls[call.sid] = call
        return call

    def register_inbound(self, sid: str, from_: str, to: str, **details: object) -> Leg:
        """An inbound leg whose caller is a driver; it is answered already."""
        call = Leg(sid, self.account_sid, to, from_, "inbound", status="in-progress", **details)
        call.start_time = call.date_created
        self.calls[sid] = call
        return call

    def join(
        self, friendly_name: str, call: Leg, *, start_on_enter: bool, end_on_exit: bool
    ) -> tuple[Conference, Participant]:
        """Put ``call`` into the live conference ``friendly_name`` (created when needed)."""
        if call.conference is not None:
            self.leave(call)
        conference = self.conferences.setdefault(friendly_name, Conference(friendly_name))
        participant = Participant(end_on_exit)
        conference.participants[call.sid] = participant
        if start_on_enter and conference.status == "init":
            conference.status = "in-progress"
        call.conference = friendly_name
        call.conferences_joined.append(friendly_name)
        return conference, participant

    def leave(self, call: Leg) -> None:
        """Take ``call`` out of its conference. The conference ends with it when it was the
        last one or ended it on exit: the legs still in it are out (their ``<Dial>`` returns)."""
        name, call.conference = call.conference, None
        conference = self.conferences.get(name or "")
        if conference is None or call.sid not in conference.participants:
            return
        participant = conference.participants.pop(call.sid)
        participant.gone.set()
        if not participant.end_conference_on_exit and conference.participants:
            return
        for sid, other in list(conference.participants.items()):
            other.gone.set()
            leg = self.calls.get(sid)
            if leg is not None and leg.conference == conference.friendly_name:
                leg.conference = None
        conference.participants.clear()
        del self.conferences[conference.friendly_name]
