"""Starts each call's conversation with the call's facts as slots.

The voice channel starts the Rasa session when Twilio reports a new call and
passes the call's SID and numbers as session metadata; the channel then plays
the greeting. (A greeting uttered here would be stored before the
SessionStarted event, outside the session the tracker store reads back.)
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# Session metadata key (sent by channels/twilio_voice) -> slot.
METADATA_SLOTS = {"call_sid": "call_sid", "from": "caller_phone"}


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        events: list[dict[str, Any]] = [SessionStarted()]
        events += [
            SlotSet(slot, metadata[key])
            for key, slot in METADATA_SLOTS.items()
            if metadata.get(key)
        ]
        events.append(ActionExecuted("action_listen"))
        return events
