"""Say that again, not understood, and repeated misunderstandings."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.control import (
    ANSWER_HINTS,
    NOT_UNDERSTOOD,
    TOP_LEVEL_HINT,
    ActionFallback,
    ActionRepeat,
    ActionStartOver,
)
from tests.action_support import make_tracker, run_action, run_action_events


def user(text: str, intent: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def bot(text: str, buttons: list | None = None) -> dict:
    return {"event": "bot", "text": text, "data": {"buttons": buttons}}


def with_events(tracker: Tracker, events: list[dict]) -> Tracker:
    tracker.events = events
    return tracker


async def test_say_that_again_repeats_the_whole_last_turn() -> None:
    tracker = with_events(
        make_tracker("say that again", "repeat", form=None),
        [
            bot("Hi, what can I help you with?"),
            user("my vpn", "problem_vpn"),
            bot("Sorry about the VPN."),
            bot("How urgent is it?", [{"title": "high", "payload": "/inform"}]),
            user("say that again", "repeat"),
        ],
    )
    _, messages = await run_action(ActionRepeat(), tracker)
    assert [m["text"] for m in messages] == ["Sorry about the VPN.", "How urgent is it?"]
    assert messages[1]["buttons"] == [{"title": "high", "payload": "/inform"}]


async def test_say_that_again_forgets_the_request_so_the_call_is_where_it_was() -> None:
    tracker = with_events(
        make_tracker("say that again", "repeat", "priority"),
        [
            user("my vpn", "problem_vpn"),
            bot("Sorry about the VPN."),
            bot("How urgent is it?"),
            user("say that again", "repeat"),
        ],
    )
    events, messages = await run_action_events(ActionRepeat(), tracker)
    assert [m["text"] for m in messages] == ["Sorry about the VPN.", "How urgent is it?"]
    assert [e["event"] for e in events] == ["rewind"]


async def test_not_understood_reverts_and_asks_the_open_question_with_a_hint() -> None:
    tracker = with_events(
        make_tracker("grmbl", "nlu_fallback", "priority"),
        [
            bot("How urgent is it?", [{"title": "high", "payload": "/x"}]),
            user("grmbl", "nlu_fallback"),
        ],
    )
    events, messages = await run_action_events(ActionFallback(), tracker)
    assert [e["event"] for e in events] == ["rewind"]
    assert messages[0]["text"] == f"{NOT_UNDERSTOOD} {ANSWER_HINTS['priority']}"
    assert messages[1]["text"] == "How urgent is it?"
    assert messages[1]["buttons"] == [{"title": "high", "payload": "/x"}]


async def test_not_understood_twice_never_says_the_apology_twice() -> None:
    tracker = with_events(
        make_tracker("grmbl", "nlu_fallback", form=None),
        [
            bot("Sure. What can I help you with?"),
            user("hm", "nlu_fallback"),
            bot(f"{NOT_UNDERSTOOD} {TOP_LEVEL_HINT}"),
            bot("Sure. What can I help you with?"),
            user("grmbl", "nlu_fallback"),
        ],
    )
    _, messages = await run_action_events(ActionFallback(), tracker)
    texts = [m["text"] for m in messages]
    assert texts == [f"{NOT_UNDERSTOOD} {TOP_LEVEL_HINT}", "Sure. What can I help you with?"]


async def test_start_over_forgets_the_form_but_keeps_who_is_calling() -> None:
    tracker = make_tracker(
        "start over",
        "start_over",
        "priority",
        slots={"known_email": "abel.tuter@example.com", "priority": "high", "call_sid": "CA1"},
    )
    events, messages = await run_action_events(ActionStartOver(), tracker)
    assert messages[0]["response"] == "utter_start_over"
    assert events[0] == {"event": "active_loop", "name": None, "timestamp": None}
    assert events[1]["event"] == "reset_slots"
    kept = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert kept == {"known_email": "abel.tuter@example.com", "call_sid": "CA1"}
