"""What one turn of the assistant produced, in the channel's terms (no Rasa types).

``channels.assistant`` builds these from Rasa; the rest of the channel decides
and renders from them alone, so it is tested with a fake assistant.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from contract import PAYLOAD_KEYPAD


@dataclass(frozen=True)
class Turn:
    """The assistant's answer to one thing the caller said or did."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    intent: str | None = None
    confidence: float | None = None
    # False when the assistant did not understand (its fallback ran).
    understood: bool = True
    requested_slot: str | None = None
    actions: tuple[str, ...] = ()
    # The turn went wrong inside the assistant (action loop, no answer) and was
    # not kept: the conversation is where it was before the caller spoke.
    failed: bool = False

    @property
    def buttons(self) -> list[dict[str, Any]]:
        for message in reversed(self.messages):
            if message.get("buttons"):
                return list(message["buttons"])
        return []

    @property
    def keypad(self) -> bool:
        """True when the open question takes a number keyed in and ended with #."""
        for message in self.messages[-1:]:
            custom = message.get("custom")
            if isinstance(custom, dict) and isinstance(custom.get(PAYLOAD_KEYPAD), dict):
                return True
        return False

    @property
    def question(self) -> list[dict[str, Any]]:
        """The message the caller is expected to answer (the turn's last one)."""
        return self.messages[-1:]


class AssistantUnavailable(RuntimeError):
    """The assistant cannot take a turn now (its conversation store is down)."""


class Assistant(Protocol):
    """The verbs the voice channel needs from the assistant (Rasa behind them)."""

    def exclusive(self, call_sid: str) -> AbstractAsyncContextManager[None]:
        """Holds the call's lock: one turn of a call at a time, across replicas."""

    async def start_call(self, call_sid: str, metadata: dict[str, str]) -> Turn: ...

    async def hear(self, call_sid: str, words: str, metadata: dict[str, str]) -> Turn:
        """The caller said ``words`` (never read as a command)."""

    async def command(self, call_sid: str, payload: str, metadata: dict[str, str]) -> Turn:
        """The channel's own ``/intent`` payload: a key press or an escalation."""

    async def last_turn(self, call_sid: str) -> Turn: ...

    async def end_call(self, call_sid: str) -> None: ...

    async def health(self) -> dict[str, str]:
        """Each part the assistant needs, with "ok" or what is wrong."""
