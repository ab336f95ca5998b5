"""Spelled addresses and one-letter corrections, as callers say them."""

from __future__ import annotations

import pytest

from speech.spelling import (
    LetterCorrection,
    apply_correction,
    heard_local_part,
    loose_email,
    parse_letter_correction,
    parse_spelled_email,
    with_missing_at,
)


@pytest.mark.parametrize(
    ("said", "address"),
    [
        ("b e t h dot a n g l i n at example dot com", "beth.anglin@example.com"),
        ("B-E-T-H dot A-N-G-L-I-N at example dot com", "beth.anglin@example.com"),
        ("t as in tango o m dot s m i t h at example dot com", "tom.smith@example.com"),
        ("t for tom o m at example dot com", "tom@example.com"),
        ("a b e l dot tango uniform tango echo romeo at example dot com", "abel.tuter@example.com"),
        ("a b e l dot t u double t e r at example dot com", "abel.tutter@example.com"),
    ],
)
def test_spelled_address_is_read_letter_by_letter(said: str, address: str) -> None:
    assert parse_spelled_email(said) == address


def test_spelled_local_part_takes_the_domain_already_heard() -> None:
    assert parse_spelled_email("b e t h dot a n g l i n", "example.com") == (
        "beth.anglin@example.com"
    )
    assert parse_spelled_email("b e t h dot a n g l i n") is None


@pytest.mark.parametrize(
    ("said", "correction"),
    [
        ("no, the third letter is u", LetterCorrection(3, "u")),
        ("the 3rd letter should be a u", LetterCorrection(3, "u")),
        ("the last letter is n as in november", LetterCorrection(-1, "n")),
        ("change the second letter to e", LetterCorrection(2, "e")),
        ("letter four is t for tom", LetterCorrection(4, "t")),
        ("no the fifth letter is tango", LetterCorrection(5, "t")),
        ("the first letter is bee", LetterCorrection(1, "b")),
    ],
)
def test_letter_correction_is_understood(said: str, correction: LetterCorrection) -> None:
    assert parse_letter_correction(said) == correction


@pytest.mark.parametrize(
    "said",
    ["no that's wrong", "the third one", "the letter is wrong", "b e t h at example dot com"],
)
def test_other_answers_are_not_corrections(said: str) -> None:
    assert parse_letter_correction(said) is None


def test_correction_counts_letters_not_dots() -> None:
    heard = "abel.cuter@example.com"
    assert apply_correction(heard, LetterCorrection(5, "t")) == "abel.tuter@example.com"
    assert apply_correction(heard, LetterCorrection(-1, "n")) == "abel.cuten@example.com"
    assert apply_correction(heard, LetterCorrection(20, "n")) is None


@pytest.mark.parametrize(
    ("heard", "address"),
    [
        ("abel dot tuter example dot com", "abel.tuter@example.com"),
        ("a program dot link connect example dot com.", "aprogram.linkconnect@example.com"),
        ("abel dot tuter at example dot com", None),  # has its "at": the strict parser's job
        ("my vpn keeps dropping", None),
    ],
)
def test_an_address_whose_at_the_recognizer_dropped(heard: str, address: str | None) -> None:
    assert with_missing_at(heard) == address


def test_every_letter_before_the_at_is_kept_for_the_directory() -> None:
    heard = "V-T-H dot N-G-L-I, and at example dot com."
    assert heard_local_part(heard) == "vth.ngli"
    assert loose_email(heard) == "vth.ngli@example.com"
    assert heard_local_part("um my email is abel dot tuter at example dot com") == "abel.tuter"
    assert loose_email("nothing like an address") is None
