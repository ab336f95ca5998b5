"""Email addresses from what speech recognition heard."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from speech.speakable import spell_email
from speech.spoken_email import is_valid_email, normalise, parse_spoken_email


@pytest.mark.parametrize(
    ("heard", "address"),
    [
        # Duckling alone reads this one as k@bespoken.io.
        ("j p k at bespoken dot i o", "jpk@bespoken.io"),
        ("john underscore smith at example dot com", "john_smith@example.com"),
        ("jane dash doe at example dot co dot uk", "jane-doe@example.co.uk"),
        ("abel dot tuter at example dot com", "abel.tuter@example.com"),
        ("my email is abraham dot lincoln at example dot com", "abraham.lincoln@example.com"),
        ("it's beth.anglin@example.com", "beth.anglin@example.com"),
        ("it\u2019s Beth.Anglin@Example.COM.", "beth.anglin@example.com"),
        ("um it's fred dot luddy at example dot com", "fred.luddy@example.com"),
        ("john hyphen doe at example dot com", "john-doe@example.com"),
        ("john minus doe at example dot com", "john-doe@example.com"),
        ("john period doe at example period com", "john.doe@example.com"),
        ("john point doe at example point com", "john.doe@example.com"),
        ("john at sign example dot com", "john@example.com"),
        ("john at symbol example dot com", "john@example.com"),
        ("john two at example dot com", "john2@example.com"),
        ("john twenty two at example dot com", "john22@example.com"),
        ("agent double oh seven at example dot com", "agent007@example.com"),
        ("capital j capital p k at bespoken dot i o", "jpk@bespoken.io"),
        ("upper case j p k at bespoken dot io", "jpk@bespoken.io"),
        ("double u smith at example dot com", "wsmith@example.com"),
        ("w smith at example dot com", "wsmith@example.com"),
        ("double s mith at example dot com", "ssmith@example.com"),
        ("juliett papa kilo at bespoken dot io", "jpk@bespoken.io"),
        ("jay pee kay at bespoken dot i o", "jpk@bespoken.io"),
        ("j as in juliet p for papa k at bespoken dot io", "jpk@bespoken.io"),
        ("mike dot smith at example dot com", "mike.smith@example.com"),
        ("uh so yeah my email address is john at example dot com", "john@example.com"),
        ("email address is john at example dot com", "john@example.com"),
        ("it is john at example dot com", "john@example.com"),
        ("that's john at example dot com thanks", "john@example.com"),
        ("er john at example dot com", "john@example.com"),
        ("J. P. K. at bespoken.io.", "jpk@bespoken.io"),
        ("j p k at be spoken dot i o", "jpk@bespoken.io"),
        ("john at example dot c o m", "john@example.com"),
        ("john plus helpdesk at example dot com", "john+helpdesk@example.com"),
        ("you can reach me at john at example dot com", "john@example.com"),
        ("john at example dot com, no sorry, jane at example dot org", "jane@example.org"),
        ("john at example dot com no sorry jane at example dot org", "jane@example.org"),
        ("JOHN SMITH AT EXAMPLE DOT COM", "johnsmith@example.com"),
        ("john at example dotcom", "john@example.com"),
    ],
)
def test_spoken_address_is_rebuilt(heard: str, address: str) -> None:
    assert parse_spoken_email(heard) == address


@pytest.mark.parametrize(
    "heard",
    [
        "",
        "   ",
        "hello",
        "john at example",
        "john example dot com",
        "at example dot com",
        "john at dot com",
        "john at example dot",
        "my email is john",
        "josé at example dot com",
        "john at example dot c1",
        "I'm at home",
    ],
)
def test_no_plausible_address_is_none(heard: str) -> None:
    assert parse_spoken_email(heard) is None


@pytest.mark.parametrize(
    "address",
    [
        "jpk@bespoken.io",
        "beth.anglin@example.com",
        "john_smith@example.co.uk",
        "jane-doe@mail.example.com",
        "john+tag@example.com",
        "a@b.co",
        "USER@EXAMPLE.COM",
        "x@xn--bcher-kva.de",
    ],
)
def test_valid_addresses(address: str) -> None:
    assert is_valid_email(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "plainaddress",
        "@example.com",
        "john@",
        "john@example",
        "john@@example.com",
        "john@ex@ample.com",
        ".john@example.com",
        "john.@example.com",
        "jo..hn@example.com",
        "john@-example.com",
        "john@example-.com",
        "john@example..com",
        "john@example.c",
        "john@example.c0m",
        "john smith@example.com",
        "josé@example.com",
        "a" * 65 + "@example.com",
        None,
        42,
    ],
)
def test_invalid_addresses(address: object) -> None:
    assert not is_valid_email(address)  # type: ignore[arg-type]


# ------------------------------------------------------------------ properties


def _stable(word: str) -> bool:
    """A word the recogniser vocabulary does not reinterpret (not "dot", "two")."""
    return normalise(word) == [word]


_LABEL_WORD = st.from_regex(r"[a-z]{1,10}", fullmatch=True).filter(_stable)
_LABEL = st.builds(
    lambda first, rest: "-".join([first, *rest]),
    _LABEL_WORD,
    st.lists(_LABEL_WORD, max_size=1),
)
_TLD = st.from_regex(r"[a-z]{2,6}", fullmatch=True).filter(_stable)
_LOCAL = st.from_regex(r"[a-z0-9]{1,8}(?:[._+-][a-z0-9]{1,8}){0,2}", fullmatch=True)
_ADDRESS = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join([*labels, tld])}",
    _LOCAL,
    st.lists(_LABEL, min_size=1, max_size=2),
    _TLD,
)


@given(_ADDRESS)
def test_reading_an_address_aloud_and_hearing_it_back_round_trips(address: str) -> None:
    assume(is_valid_email(address))
    assert parse_spoken_email(spell_email(address)) == address


@given(_ADDRESS, st.sampled_from(["my email is", "um it's", "so that's", "yeah it is"]))
def test_lead_in_words_do_not_change_the_address(address: str, lead_in: str) -> None:
    assume(is_valid_email(address))
    assert parse_spoken_email(f"{lead_in} {spell_email(address)}") == address


@given(st.text(max_size=200))
def test_any_text_gives_a_valid_address_or_none(text: str) -> None:
    address = parse_spoken_email(text)
    assert address is None or (is_valid_email(address) and address == address.lower())


@pytest.mark.parametrize(
    ("heard", "expected"),
    [
        ("b-e-t-h dot a-n-g-l-i-n at example dot com", "beth.anglin@example.com"),
        ("J-P-K at bespoken dot i o", "jpk@bespoken.io"),
        ("jane-doe at example dot com", "jane-doe@example.com"),
    ],
)
def test_letters_the_recognizer_wrote_with_hyphens_are_spelling(heard: str, expected: str) -> None:
    assert parse_spoken_email(heard) == expected
