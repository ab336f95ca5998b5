"""What the assistant asks of the hand-off, and what the channel tells the assistant back.

The request travels as a bot message's custom payload (names in ``contract``);
the answers travel as ``/intent{...}`` commands the channel sends on the
caller's behalf. Both are built and read only here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from contract import (
    ENTITY_AGENT_NUMBER,
    ENTITY_HANDOFF_OUTCOME,
    HANDOFF_AGENTS,
    HANDOFF_SUMMARY,
    INTENT_HANDOFF_FAILED,
    INTENT_REQUEST_HUMAN,
    OUTCOME_NO_AGENT,
    OUTCOME_UNREACHABLE,
    PAYLOAD_HANDOFF,
)

OUTCOMES = (OUTCOME_NO_AGENT, OUTCOME_UNREACHABLE)
NO_SUMMARY = "A caller asked for a person."


@dataclass(frozen=True)
class HandoffRequest:
    """Hand the caller to a person: what they hear first, and whom to ring.

    No ``agents`` means the configured ones (``HANDOFF_AGENT_NUMBERS``); the
    console's take-over names its operator's phone.
    """

    summary: str
    agents: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The bot message's custom payload (``json_message`` in rasa-sdk)."""
        return {PAYLOAD_HANDOFF: {HANDOFF_SUMMARY: self.summary, HANDOFF_AGENTS: list(self.agents)}}

    @classmethod
    def from_messages(cls, messages: Iterable[dict[str, Any]]) -> HandoffRequest | None:
        """The request a turn's messages carry, or None (a malformed one counts as none)."""
        for message in messages:
            custom = message.get("custom")
            body = custom.get(PAYLOAD_HANDOFF) if isinstance(custom, dict) else None
            if not isinstance(body, dict):
                continue
            summary = body.get(HANDOFF_SUMMARY)
            listed = body.get(HANDOFF_AGENTS)
            agents = listed if isinstance(listed, list) else []
            return cls(
                summary=(summary if isinstance(summary, str) else "").strip() or NO_SUMMARY,
                agents=tuple(a for a in agents if isinstance(a, str) and a),
            )
        return None


def take_over_command(agent_number: str) -> str:
    """The caller's "I want a person", with only ``agent_number`` to ring."""
    return f"/{INTENT_REQUEST_HUMAN}" + json.dumps({ENTITY_AGENT_NUMBER: agent_number})


def back_command(outcome: str) -> str:
    """The caller is back from the hold; ``outcome`` says why (one of ``OUTCOMES``)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown hand-off outcome {outcome!r}")
    return f"/{INTENT_HANDOFF_FAILED}" + json.dumps({ENTITY_HANDOFF_OUTCOME: outcome})
