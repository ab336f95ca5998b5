"""A scripted assistant for testing the voice channel without Rasa."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from channels.turn import AssistantUnavailable, Turn
from settings import HandoffSettings, VoiceSettings

CALL_SID = "CA" + "b" * 32
QUESTION = {"text": "How urgent is it?", "buttons": [{"title": "high", "payload": "/affirm"}]}


def voice_settings(**env: str) -> VoiceSettings:
    return VoiceSettings.from_env({"TWILIO_AUTH_TOKEN": "test-token", **env})


def handoff_settings(**env: str) -> HandoffSettings:
    return HandoffSettings.from_env({"HANDOFF_AGENT_NUMBERS": "+15555550142", **env})


class ScriptedAssistant:
    """Answers every turn with ``next_turn``; records what the channel asked."""

    def __init__(self, next_turn: Turn | None = None, last: Turn | None = None) -> None:
        self.next_turn = next_turn or Turn(messages=[QUESTION], intent="inform", confidence=0.9)
        self.last = last or Turn(messages=[QUESTION], requested_slot="priority")
        self.heard: list[str] = []
        self.commands: list[str] = []
        self.unavailable = False
        self.ended: list[str] = []
        self.health_report = {"tracker store": "ok", "lock store": "ok", "action server": "ok"}
        # When set, every turn waits for it: a slow assistant without a clock.
        self.hold: asyncio.Event | None = None

    @asynccontextmanager
    async def exclusive(self, call_sid: str) -> AsyncIterator[None]:
        if self.unavailable:
            raise AssistantUnavailable("tracker store: OperationalError")
        yield

    async def _turn(self) -> Turn:
        if self.hold is not None:
            await self.hold.wait()
        return self.next_turn

    async def start_call(self, call_sid: str, metadata: dict[str, str]) -> Turn:
        return await self._turn()

    async def hear(self, call_sid: str, words: str, metadata: dict[str, str]) -> Turn:
        self.heard.append(words)
        return await self._turn()

    async def command(self, call_sid: str, payload: str, metadata: dict[str, str]) -> Turn:
        self.commands.append(payload)
        if payload == "/request_human":
            return Turn(messages=[{"text": "I'm connecting you to an agent now. Please hold."}])
        return await self._turn()

    async def last_turn(self, call_sid: str) -> Turn:
        if self.unavailable:
            raise AssistantUnavailable("tracker store: OperationalError")
        return self.last

    async def end_call(self, call_sid: str) -> None:
        self.ended.append(call_sid)

    async def read_slot(self, call_sid: str, slot: str) -> Any:
        return None

    async def health(self) -> dict[str, str]:
        return dict(self.health_report)
