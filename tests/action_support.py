"""Run rasa-sdk actions the way the action server does, on trackers built here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from settings import PROJECT_ROOT

DOMAIN = yaml.safe_load(Path(PROJECT_ROOT / "rasa_bot" / "domain.yml").read_text())
CALL_SID = "CA" + "0" * 32


def make_tracker(
    text: str,
    intent: str,
    requested_slot: str | None = None,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    form: str | None = "open_incident_form",
    confidence: float = 0.95,
) -> Tracker:
    """A tracker whose latest message is ``text`` with ``intent``."""
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested_slot
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    return Tracker(
        CALL_SID,
        all_slots,
        message,
        [{"event": "user", "text": text, "parse_data": message}],
        False,
        None,
        {"name": form} if form else {},
        "action_listen",
    )


async def run_action_events(
    action: Any, tracker: Tracker
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The events the action returns and the messages it sends."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return events, dispatcher.messages


async def run_action(action: Any, tracker: Tracker) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The slots the action sets and the messages it sends."""
    events, messages = await run_action_events(action, tracker)
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    return slots, messages
