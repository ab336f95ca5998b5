"""Misheard addresses are matched to the one directory user meant, and never to a list."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from actions.directory import best_match, pick_by_name, ranked, similarity


@dataclass(frozen=True)
class Person:
    name: str
    email: str


DIRECTORY = [
    Person("Abel Tuter", "abel.tuter@example.com"),
    Person("Abraham Lincoln", "abraham.lincoln@example.com"),
    Person("Beth Anglin", "beth.anglin@example.com"),
    Person("Fred Luddy", "fred.luddy@example.com"),
    Person("David Miller", "david.miller@example.com"),
    Person("Aileen Mottern", "aileen.mottern@example.com"),
    Person("John Smith", "john_smith@example.com"),
    Person("Sam Shared", "shared.desk@example.com"),
    Person("Sasha Shared", "shared.desk@example.com"),
    Person("J P K", "jpk@bespoken.io"),
]


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("able.cuber@example.com", "abel.tuter@example.com"),  # the mishearing
        ("vth.ngli@example.com", "beth.anglin@example.com"),  # "V-T-H dot N-G-L-I"
        ("abel.tutor@example.com", "abel.tuter@example.com"),
        ("beth.anglen@example.com", "beth.anglin@example.com"),
        ("abraham.link.connect@example.com", "abraham.lincoln@example.com"),
        ("david.millar@example.com", "david.miller@example.com"),
        ("jon.smith@example.com", "john_smith@example.com"),
    ],
)
def test_a_close_mishearing_finds_the_user_meant(heard: str, meant: str) -> None:
    found = best_match(heard, DIRECTORY)
    assert found is not None
    assert found.email == meant


@pytest.mark.parametrize(
    "heard",
    [
        "zed.quinn@example.com",
        "mary.jones@example.com",
        "peter.parker@example.com",
        "tom.smith@example.com",  # shares a surname only
        "ann.miller@example.com",
        "bob@example.com",
    ],
)
def test_a_far_name_finds_nobody(heard: str) -> None:
    assert best_match(heard, DIRECTORY) is None


def test_only_users_of_the_heard_domain_are_candidates() -> None:
    assert best_match("abel.tuter@bespoken.io", DIRECTORY) is None
    assert {s.person.email for s in ranked("jpk@bespoken.io", DIRECTORY)} == {"jpk@bespoken.io"}


def test_two_users_equally_close_are_ambiguous_and_nobody_is_offered() -> None:
    twins = [
        Person("Jon Smith", "jon.smith@example.com"),
        Person("John Smith", "john.smith@example.com"),
    ]
    assert best_match("jonn.smith@example.com", twins) is None
    # Either alone would have been offered.
    assert best_match("jonn.smith@example.com", twins[:1]) == twins[0]


def test_one_address_shared_by_two_users_is_one_candidate() -> None:
    found = best_match("shared.desc@example.com", DIRECTORY)
    assert found is not None
    assert found.email == "shared.desk@example.com"


def test_similarity_ignores_separators_and_rewards_sound_alikes() -> None:
    assert similarity("john_smith", "john.smith") == pytest.approx(1.0)
    assert similarity("able cuber", "abel tuter") > similarity("zed quinn", "abel tuter")
    assert similarity("", "abel tuter") == 0.0


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("sasha", "Sasha Shared"),
        ("it's sam", "Sam Shared"),
        ("this is sasha shared speaking", "Sasha Shared"),
        ("sascha", "Sasha Shared"),
        ("shared", None),  # the family name tells them apart from nobody
        ("yes", None),
        ("the second one", None),
    ],
)
def test_a_name_picks_one_of_the_people_on_a_shared_phone(said: str, name: str | None) -> None:
    found = pick_by_name(said, DIRECTORY[7:9])
    assert (found.name if found else None) == name
