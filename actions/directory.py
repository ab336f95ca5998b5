"""Matching what a caller said against directory users, for a phone line that mishears.

Speech recognition turns "abel dot tuter" into "able dot cuber". Comparing the
heard local part with each candidate's, by spelling (Jaro-Winkler and
Levenshtein ratio from rapidfuzz) and by sound (Metaphone codes from jellyfish),
finds the person meant. To keep the directory private, ``best_match`` returns at
most one user, only above a threshold and only when no other user comes close:
a caller guessing names learns nothing from a list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from settings.directory import DEFAULT_THRESHOLD

# The runner-up must trail the best by this much, or nobody is offered.
AMBIGUITY_MARGIN = 0.08
_WORDS = re.compile(r"[a-z]+")


class Person(Protocol):
    """What the matching reads of a directory user (``ServiceNowUser`` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def email(self) -> str: ...


@dataclass(frozen=True)
class Scored:
    person: Person
    score: float


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def similarity(heard: str, known: str) -> float:
    """0..1: how alike two names sound and are spelled (separators and digits ignored).

    The mean of three library measures, so neither a spelling slip nor a
    sound-alike alone carries a match: Jaro-Winkler on the letters, the
    Levenshtein ratio on the words, and the better of the Metaphone ratios of
    the whole name and of its words.
    """
    heard_words, known_words = _words(heard), _words(known)
    if not heard_words or not known_words:
        return 0.0
    heard_joined, known_joined = "".join(heard_words), "".join(known_words)
    spelling = JaroWinkler.similarity(heard_joined, known_joined)
    words = fuzz.ratio(" ".join(heard_words), " ".join(known_words)) / 100
    sound = max(
        fuzz.ratio(jellyfish.metaphone(heard_joined), jellyfish.metaphone(known_joined)),
        fuzz.ratio(
            " ".join(map(jellyfish.metaphone, heard_words)),
            " ".join(map(jellyfish.metaphone, known_words)),
        ),
    )
    return (spelling + words + sound / 100) / 3


def local_part(email: str) -> str:
    return email.partition("@")[0]


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].lower() if "@" in email else ""


def score_person(heard_email: str, person: Person) -> float:
    """How well a heard address fits a user: their address's local part, or their name."""
    heard = local_part(heard_email)
    return max(similarity(heard, local_part(person.email)), similarity(heard, person.name))


def ranked(heard_email: str, people: Sequence[Person]) -> list[Scored]:
    """Users of the heard address's domain, best first, one entry per address."""
    domain = domain_of(heard_email)
    best: dict[str, Scored] = {}
    for person in people:
        address = person.email.lower()
        if domain_of(address) != domain:
            continue
        scored = Scored(person, score_person(heard_email, person))
        if address not in best or scored.score > best[address].score:
            best[address] = scored
    return sorted(best.values(), key=lambda s: s.score, reverse=True)


def best_match(
    heard_email: str, people: Sequence[Person], threshold: float = DEFAULT_THRESHOLD
) -> Person | None:
    """The one user the caller most likely meant, or None: too far, or two too close."""
    scores = ranked(heard_email, people)
    if not scores or scores[0].score < threshold:
        return None
    if len(scores) > 1 and scores[0].score - scores[1].score < AMBIGUITY_MARGIN:
        return None
    return scores[0].person


def pick_by_name(heard: str, people: Sequence[Person], threshold: float = 0.6) -> Person | None:
    """Which of the offered people the caller named ("Sasha", "it's Sam Shared").

    Each word the caller said is compared with each name's words; the one name
    clearly ahead wins. Words all the names share (a family name) decide nothing.
    """
    said = set(_words(heard))
    shared = set.intersection(*(set(_words(p.name)) for p in people)) if people else set()
    scores = []
    for person in people:
        own = [w for w in _words(person.name) if w not in shared] or _words(person.name)
        best = max((similarity(word, name_word) for word in said for name_word in own), default=0.0)
        scores.append((best, person))
    scores.sort(key=lambda pair: pair[0], reverse=True)
    if not scores or scores[0][0] < threshold:
        return None
    if len(scores) > 1 and scores[0][0] - scores[1][0] < AMBIGUITY_MARGIN:
        return None
    return scores[0][1]
