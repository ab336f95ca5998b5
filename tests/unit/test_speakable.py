"""Text rendered for text-to-speech."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from speech.speakable import (
    render_for_speech,
    speak_date,
    speak_incident_number,
    speak_phone_number,
    speak_time,
    spell_email,
)

TODAY = date(2024, 3, 10)


@pytest.mark.parametrize(
    ("email", "spoken"),
    [
        ("jpk@bespoken.io", "j p k at bespoken dot i o"),
        ("abel.tuter@example.com", "a b e l dot t u t e r at example dot com"),
        ("john_smith@example.org", "j o h n underscore s m i t h at example dot org"),
        ("jane-doe@example.co.uk", "j a n e dash d o e at example dot co dot u k"),
        ("john2@example.net", "j o h n 2 at example dot net"),
        ("John+Desk@Example.COM", "j o h n plus d e s k at example dot com"),
        ("it@ibm.com", "i t at i b m dot com"),
        ("help@uni.edu", "h e l p at u n i dot e d u"),
        ("a@my-company.org", "a at my dash company dot org"),
        ("a@office365.com", "a at office 3 6 5 dot com"),
        ("sysadmin@xkcd.com", "s y s a d m i n at x k c d dot com"),
        ("not an address", "n o t a n a d d r e s s"),
    ],
)
def test_email_is_spelled_for_writing_down(email: str, spoken: str) -> None:
    assert spell_email(email) == spoken


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("INC0010007", "I N C, 0 0 1, 0 0 0 7"),
        ("inc0010007", "I N C, 0 0 1, 0 0 0 7"),
        ("RITM0001234", "R I T M, 0 0 0, 1 2 3 4"),
        ("INC 0010007", "I N C, 0 0 1, 0 0 0 7"),
        ("INC12345678", "I N C, 1 2 3 4, 5 6 7 8"),
        ("INC123", "I N C, 1 2 3"),
        ("INC-0010007", "I N C dash 0 0 1 0 0 0 7"),
        ("", ""),
    ],
)
def test_incident_number_is_read_digit_by_digit_in_groups(number: str, spoken: str) -> None:
    assert speak_incident_number(number) == spoken


@pytest.mark.parametrize(
    ("day", "suffix"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (14, "14th"),
        (20, "20th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (24, "24th"),
        (30, "30th"),
        (31, "31st"),
    ],
)
def test_date_has_the_right_ordinal(day: int, suffix: str) -> None:
    assert speak_date(date(2024, 5, day), today=TODAY) == f"May {suffix}"


def test_date_says_the_year_only_when_it_is_not_this_year() -> None:
    assert speak_date(date(2024, 5, 21), today=TODAY) == "May 21st"
    assert speak_date(date(2025, 1, 2), today=TODAY) == "January 2nd, 2025"
    assert speak_date(date(2023, 12, 31), today=TODAY) == "December 31st, 2023"


def test_date_accepts_a_datetime() -> None:
    assert speak_date(datetime(2024, 5, 21, 14, 5), today=TODAY) == "May 21st"


def test_date_defaults_to_the_current_year() -> None:
    assert speak_date(date(date.today().year, 7, 4)) == "July 4th"


@pytest.mark.parametrize(
    ("hour", "minute", "spoken"),
    [(0, 0, "midnight"), (12, 0, "noon"), (9, 0, "9 AM"), (14, 5, "2:05 PM"), (0, 30, "12:30 AM")],
)
def test_time_is_on_a_twelve_hour_clock(hour: int, minute: int, spoken: str) -> None:
    from datetime import time

    assert speak_time(time(hour, minute)) == spoken


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("+15551234567", "5 5 5, 1 2 3, 4 5 6 7"),
        ("+1 (555) 123-4567", "5 5 5, 1 2 3, 4 5 6 7"),
        ("555-123-4567", "5 5 5, 1 2 3, 4 5 6 7"),
        ("+442071234567", "plus 4 4 2 0 7 1 2 3 4 5 6 7"),
        ("+5511987654321", "plus 5 5 1 1 9 8 7 6 5 4 3 2 1"),
        ("911", "9 1 1"),
        ("", ""),
    ],
)
def test_phone_number_is_grouped_like_people_say_it(number: str, spoken: str) -> None:
    assert speak_phone_number(number) == spoken


# ------------------------------------------------------------------ free text


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Your incident INC0010007 was opened on 2024-05-21.",
            "Your incident I N C, 0 0 1, 0 0 0 7 was opened on May 21st.",
        ),
        (
            "We will email jpk@bespoken.io.",
            "We will email j p k at bespoken dot i o.",
        ),
        (
            "Call us at +15551234567 or +442071234567.",
            "Call us at 5 5 5, 1 2 3, 4 5 6 7 or plus 4 4 2 0 7 1 2 3 4 5 6 7.",
        ),
        ("Opened 2024-05-21 14:05:00 by the desk", "Opened May 21st at 2:05 PM by the desk"),
        ("Due 2025-01-02T09:00:00Z", "Due January 2nd, 2025 at 9 AM"),
        ("Not a date: 2024-02-30", "Not a date: 2024 02 30"),
        ("See https://example.com/kb?id=1 for details", "See for details"),
        ("Visit www.example.com.", "Visit."),
        ("Read [the article](https://example.com/a) now", "Read the article now"),
        ("Write to mailto:help@example.com", "Write to h e l p at example dot com"),
        ("Done 👍🏽 thanks 🎉", "Done thanks"),
        ("Press 1️⃣ now", "Press 1 now"),
        ("Family 👨‍👩‍👧 time", "Family time"),
        ("Flag 🇺🇸 here", "Flag here"),
        ("**Bold** and *italic* and __strong__ and `code`", "Bold and italic and strong and code"),
        ("## Status\n- **State:** In progress\n- Assigned", "Status. State: In progress. Assigned"),
        ("1. Restart\n2. Log in again", "Restart. Log in again"),
        ("  lots   of\t\tspace \n\n here ", "lots of space. here"),
        ("It is 20°C and costs €5", "It is 20°C and costs €5"),
        ("snake_case stays", "snake_case stays"),
        ("", ""),
    ],
)
def test_free_text_is_rendered_for_the_ear(text: str, spoken: str) -> None:
    assert render_for_speech(text, today=TODAY) == spoken


@pytest.mark.parametrize(
    "text",
    [
        "Your incident INC0010007 was opened on 2024-05-21 by beth.anglin@example.com.",
        "Call +15551234567 about RITM0001234 on 2025-01-02.",
        "- item one\n- item two 🎉 https://x.example/y",
    ],
)
def test_rendering_twice_changes_nothing(text: str) -> None:
    once = render_for_speech(text, today=TODAY)
    assert render_for_speech(once, today=TODAY) == once


def test_render_accepts_non_text() -> None:
    assert render_for_speech(None) == ""  # type: ignore[arg-type]
    assert render_for_speech(42) == "42"  # type: ignore[arg-type]


# ------------------------------------------------------------------ properties

_UNSAYABLE = ("So", "Cs", "Co", "Cn", "Cf", "Cc")
_SAYABLE_SYMBOLS = set("°©®™§¶†‰€£¥¢$%&\n\t")
_PIECES = st.sampled_from(
    [
        "INC0010007",
        "beth.anglin@example.com",
        "2024-05-21",
        "2024-05-21 14:05:00",
        "+15551234567",
        "https://example.com/a",
        "**",
        "- ",
        "\n",
        "_",
        "👍🏽",
        " ",
        ".",
        "#",
    ]
)
_MIXED = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=12).map("".join)


@given(st.one_of(st.text(), _MIXED))
def test_any_text_renders_without_raising(text: str) -> None:
    spoken = render_for_speech(text, today=TODAY)
    assert isinstance(spoken, str)
    assert spoken == spoken.strip()
    assert "  " not in spoken
    assert "https://" not in spoken.lower()
    assert "example.com/a" not in spoken
    unsayable = {char for char in spoken if unicodedata.category(char) in _UNSAYABLE}
    assert unsayable <= _SAYABLE_SYMBOLS


@given(st.one_of(st.text(), _MIXED))
def test_rendering_is_idempotent(text: str) -> None:
    once = render_for_speech(text, today=TODAY)
    assert render_for_speech(once, today=TODAY) == once


@given(st.dates())
def test_every_date_has_an_english_ordinal(day: date) -> None:
    spoken = speak_date(day, today=TODAY)
    number = spoken.split()[1].rstrip(",")
    expected = {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    if day.day in (11, 12, 13):
        expected = "th"
    assert number == f"{day.day}{expected}"
    assert spoken.endswith(f", {day.year}") == (day.year != TODAY.year)


@given(st.from_regex(r"(INC|RITM|REQ|CHG|PRB)[0-9]{7}", fullmatch=True))
def test_incident_number_keeps_every_digit_in_order(number: str) -> None:
    spoken = speak_incident_number(number)
    assert "".join(char for char in spoken if char.isalnum()) == number


@given(st.emails())
def test_spelled_email_has_no_symbols_left(email: str) -> None:
    spoken = spell_email(email)
    assert "@" not in spoken
    assert "." not in spoken
