"""One hand-off's state: the one record every replica reads and moves forward.

A hand-off is ``ringing`` agent number ``attempt``; ``offered`` once that agent
answered and hears the whisper; then ``connected`` (they pressed 1) or, when
nobody takes the call, ``returned`` to the assistant with an ``outcome``.
Twilio's webhooks for the agent's call carry only the record's id and the
attempt, so a late report about an earlier agent changes nothing.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, replace
from enum import Enum

from contract import OUTCOME_NO_AGENT


class Stage(str, Enum):
    RINGING = "ringing"
    OFFERED = "offered"
    CONNECTED = "connected"
    RETURNED = "returned"


LIVE = frozenset({Stage.RINGING, Stage.OFFERED})


@dataclass(frozen=True)
class Handoff:
    id: str
    caller_sid: str
    summary: str
    agents: tuple[str, ...]
    attempt: int = 0
    stage: Stage = Stage.RINGING
    outcome: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    @classmethod
    def new(cls, caller_sid: str, summary: str, agents: tuple[str, ...]) -> Handoff:
        now = time.time()
        handoff_id = secrets.token_hex(8)
        return cls(handoff_id, caller_sid, summary, agents, created_at=now, updated_at=now)

    @property
    def conference(self) -> str:
        """The caller's conference: named after the record, nothing about the caller."""
        return f"handoff-{self.id}"

    @property
    def agent(self) -> str:
        """The phone being rung (or answered) now."""
        return self.agents[self.attempt]

    @property
    def has_next_agent(self) -> bool:
        return self.attempt + 1 < len(self.agents)

    def is_at(self, attempt: int, *stages: Stage) -> bool:
        """True when a report about ``attempt`` still concerns this record's present."""
        return self.attempt == attempt and self.stage in stages

    def ringing_next(self) -> Handoff:
        return replace(self, attempt=self.attempt + 1, stage=Stage.RINGING)

    def returned(self, outcome: str = OUTCOME_NO_AGENT) -> Handoff:
        return replace(self, stage=Stage.RETURNED, outcome=outcome)

    def moved(self, stage: Stage) -> Handoff:
        return replace(self, stage=stage)
