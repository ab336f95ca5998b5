"""Key presses and recognition hints on the phone."""

from __future__ import annotations

from channels.hints import hints_for
from channels.menus import HUMAN_PAYLOAD, menu_sentence, payload_for_keys

YES_NO = [{"title": "yes", "payload": "/affirm"}, {"title": "no", "payload": "/deny"}]


def test_a_key_press_sends_that_buttons_payload() -> None:
    assert payload_for_keys("1", YES_NO) == "/affirm"
    assert payload_for_keys("2", YES_NO) == "/deny"


def test_zero_asks_for_a_person_anywhere() -> None:
    assert payload_for_keys("0", []) == HUMAN_PAYLOAD
    assert payload_for_keys("0", YES_NO) == HUMAN_PAYLOAD


def test_a_key_without_a_button_means_nothing() -> None:
    assert payload_for_keys("3", YES_NO) is None
    assert payload_for_keys("*", YES_NO) is None
    assert payload_for_keys("5", []) is None


def test_menu_sentences() -> None:
    assert menu_sentence(YES_NO) == "Say yes or press 1, or no or press 2."
    assert menu_sentence([{"title": "ok", "payload": "/a"}]) == "Say ok or press 1."
    assert menu_sentence([]) == ""


def test_hints_follow_what_the_assistant_waits_for() -> None:
    assert "high" in hints_for("priority", [])
    assert "dot com" in hints_for("email", [])
    assert "agent" in hints_for(None, [])
    assert hints_for("confirm", YES_NO).startswith("yes, no")


def test_hints_never_break_twilios_comma_list() -> None:
    hints = hints_for(None, [{"title": "a, b", "payload": "/x"}])
    assert hints.split(", ")[0] == "a  b"
