"""Say that again, not understood, and repeated misunderstandings."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.control import ActionFallback, ActionRepeat, consecutive_fallbacks
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


async def test_inside_a_form_the_question_is_left_to_the_form() -> None:
    tracker = with_events(
        make_tracker("say that again", "repeat", "priority"),
        [
            user("my vpn", "problem_vpn"),
            bot("Sorry about the VPN."),
            bot("How urgent is it?"),
            user("say that again", "repeat"),
        ],
    )
    _, messages = await run_action(ActionRepeat(), tracker)
    assert [m["text"] for m in messages] == ["Sorry about the VPN."]


def test_only_misunderstandings_in_a_row_count() -> None:
    tracker = make_tracker("x", "nlu_fallback", form=None)
    tracker.events = [
        user("a", "nlu_fallback"),
        user("b", "greet"),
        user("c", "nlu_fallback"),
        user("d", "nlu_fallback"),
    ]
    assert consecutive_fallbacks(tracker) == 2


async def test_third_misunderstanding_in_a_row_hands_the_caller_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HANDOFF_AFTER_FALLBACKS", "3")
    tracker = make_tracker("grmbl", "nlu_fallback", form=None)
    tracker.events = [user(word, "nlu_fallback") for word in ("hm", "uh", "grmbl")]
    events, messages = await run_action_events(ActionFallback(), tracker)
    assert messages == []
    assert [(e["event"], e["name"]) for e in events] == [("followup", "action_handoff")]


async def test_a_first_misunderstanding_says_what_the_caller_can_say() -> None:
    tracker = make_tracker("grmbl", "nlu_fallback", form=None)
    tracker.events = [user("grmbl", "nlu_fallback")]
    _, messages = await run_action(ActionFallback(), tracker)
    assert messages[0]["response"] == "utter_default"
