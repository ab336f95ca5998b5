"""A scripted assistant for testing the voice channel without Rasa."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from channels.turn import AssistantUnavailable, Turn
from handoff.record import Handoff
from handoff.request import HandoffRequest
from settings import HandoffSettings, VoiceSettings
from telephony.twilio_rest import TelephonyError

CALL_SID = "CA" + "b" * 32
QUESTION = {"text": "How urgent is it?", "buttons": [{"title": "high", "payload": "/affirm"}]}
HOLDING = {
    "text": "I'm connecting you to an agent now. Please hold.",
    "custom": HandoffRequest("A caller asked for a person.").payload(),
}
TICKET_OFFER = {
    "text": "Sorry, I couldn't reach an agent just now. I can open a ticket. Shall I do that?",
    "buttons": [{"title": "yes", "payload": "/affirm"}, {"title": "no", "payload": "/deny"}],
}


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
        if payload.startswith("/request_human"):
            return Turn(messages=[HOLDING], intent="request_human", actions=("action_handoff",))
        if payload.startswith("/handoff_failed"):
            return Turn(messages=[TICKET_OFFER], intent="handoff_failed")
        return await self._turn()

    async def last_turn(self, call_sid: str) -> Turn:
        if self.unavailable:
            raise AssistantUnavailable("tracker store: OperationalError")
        return self.last

    async def end_call(self, call_sid: str) -> None:
        self.ended.append(call_sid)

    async def health(self) -> dict[str, str]:
        return dict(self.health_report)


class FakeHandoffs:
    """The hand-off as the conversation sees it: rings (or cannot), remembers the request."""

    def __init__(self, reachable: bool = True) -> None:
        self.reachable = reachable
        self.requests: list[HandoffRequest] = []
        self.live: Handoff | None = None

    async def start(self, caller_sid: str, request: HandoffRequest) -> Handoff | None:
        self.requests.append(request)
        if not self.reachable:
            return None
        self.live = Handoff("ab12" * 4, caller_sid, request.summary, request.agents or ("+1",))
        return self.live

    async def holding(self, caller_sid: str) -> Handoff | None:
        return self.live


class FakeTwilio:
    """Records calls placed and redirects; ``failing`` makes every request fail."""

    def __init__(self) -> None:
        self.placed: list[dict[str, object]] = []
        self.redirects: list[tuple[str, str]] = []
        self.failing = False

    async def place_call(
        self, to: str, from_: str, twiml: str, status_callback: str, timeout_seconds: int
    ) -> str:
        if self.failing:
            raise TelephonyError("Twilio could not place a call: HTTP 500")
        self.placed.append({"to": to, "twiml": twiml, "status_callback": status_callback})
        return "CA" + f"{len(self.placed):032x}"

    async def redirect_call(self, call_sid: str, url: str) -> None:
        if self.failing:
            raise TelephonyError("Twilio could not redirect a call: HTTP 500")
        self.redirects.append((call_sid, url))
