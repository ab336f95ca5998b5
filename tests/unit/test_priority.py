"""Priority from a caller's answer to "how urgent is it?"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from speech.priority import HIGH, LOW, MEDIUM, parse_priority


@pytest.mark.parametrize(
    "heard",
    [
        "high",
        "High.",
        "urgent",
        "it's urgent",
        "it\u2019s really urgent",
        "asap",
        "ASAP!",
        "as soon as possible",
        "critical",
        "it's blocking me",
        "i can't work",
        "I cannot work at all",
        "pretty important",
        "very important",
        "it's an emergency",
        "it can't wait",
        "no one can work",
        "one",
        "1",
        "number one",
        "priority one",
        "p1",
        "hi",
        "Hi.",
        "um hi",
    ],
)
def test_urgent_answers_are_high(heard: str) -> None:
    assert parse_priority(heard) == HIGH


@pytest.mark.parametrize(
    "heard",
    [
        "medium",
        "normal",
        "moderate",
        "so so",
        "so-so",
        "average",
        "somewhere in the middle",
        "kind of urgent",
        "somewhat important",
        "fairly urgent",
        "a bit urgent",
        "two",
        "2",
        "number two",
        "it's a two",
        "I would say medium",
    ],
)
def test_middling_answers_are_medium(heard: str) -> None:
    assert parse_priority(heard) == MEDIUM


@pytest.mark.parametrize(
    "heard",
    [
        "low",
        "no rush",
        "there's no hurry",
        "not a big deal",
        "no big deal",
        "whenever",
        "whenever you can",
        "not urgent",
        "Not urgent.",
        "it's not urgent",
        "not very urgent",
        "not that urgent",
        "not important",
        "it's not important",
        "it's not blocking me",
        "it doesn't block me",
        "I don't think it's urgent",
        "nothing critical",
        "it can wait",
        "take your time",
        "three",
        "3",
        "priority three",
        "no the priority is low",
        "No, the priority is low.",
    ],
)
def test_relaxed_answers_are_low(heard: str) -> None:
    assert parse_priority(heard) == LOW


@pytest.mark.parametrize(
    ("heard", "level"),
    [
        ("high, sorry, I mean medium", MEDIUM),
        ("medium, actually no, it's urgent", HIGH),
        ("urgent, well, not urgent", LOW),
        ("not high, medium", MEDIUM),
        ("no, it's urgent", HIGH),
        ("no, the priority is high", HIGH),
    ],
)
def test_the_last_thing_said_wins(heard: str, level: str) -> None:
    assert parse_priority(heard) == level


@pytest.mark.parametrize(
    "heard",
    ["", "   ", "banana", "hi there", "hello", "I don't know", "not low", "um uh", "four"],
)
def test_no_priority_is_none(heard: str) -> None:
    assert parse_priority(heard) is None


def test_non_text_is_none() -> None:
    assert parse_priority(None) is None  # type: ignore[arg-type]


# ------------------------------------------------------------------ properties

_ANSWERS = {"urgent": HIGH, "high": HIGH, "medium": MEDIUM, "normal": MEDIUM, "low": LOW}


@given(st.text(max_size=200))
def test_any_text_gives_a_level_or_none(text: str) -> None:
    assert parse_priority(text) in (None, HIGH, MEDIUM, LOW)


@given(
    st.sampled_from(sorted(_ANSWERS)),
    st.sampled_from(sorted(_ANSWERS)),
    st.sampled_from(["no sorry", "actually", "wait, I mean", "no, make that"]),
)
def test_a_correction_replaces_the_first_answer(first: str, second: str, marker: str) -> None:
    assert parse_priority(f"{first}, {marker} {second}") == _ANSWERS[second]


@given(
    st.sampled_from(sorted(_ANSWERS)),
    st.lists(st.sampled_from(["um", "uh", "er", "so", "well", "yeah"]), max_size=3),
)
def test_hesitations_do_not_change_the_answer(answer: str, fillers: list[str]) -> None:
    assert parse_priority(" ".join([*fillers, answer])) == _ANSWERS[answer]
