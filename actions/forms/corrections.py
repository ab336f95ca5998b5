"""Reads a correction said at the ticket's confirmation ("no, the priority is low")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from speech.priority import parse_priority
from speech.spoken_email import parse_spoken_email

_FIELD_WORDS = {
    "priority": re.compile(r"\b(priority|urgency|urgent|important)\b"),
    "email": re.compile(r"\b(e-?mail|address)\b"),
    "problem_description": re.compile(r"\b(problem|issue|description|subject)\b"),
}
_NEW_DESCRIPTION = re.compile(
    r"\b(?:problem|issue|description)\s+(?:is|should be|was|is actually)\s+(?P<text>.{3,})$"
)


@dataclass
class Correction:
    """New values the caller gave, and fields they want asked again."""

    problem_description: str | None = None
    priority: str | None = None
    email: str | None = None
    ask_again: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.problem_description or self.priority or self.email or self.ask_again)


def parse_correction(text: str) -> Correction:
    """What the caller wants changed; empty when the words name no field."""
    words = text.lower().strip()
    correction = Correction()
    description = _NEW_DESCRIPTION.search(words)
    if description:
        correction.problem_description = description.group("text").strip()
        return correction
    if " at " in f" {words} " or "@" in words:
        correction.email = parse_spoken_email(words)
    mentions = {name for name, pattern in _FIELD_WORDS.items() if pattern.search(words)}
    level = parse_priority(words)
    if level and ("priority" in mentions or re.search(r"\b(high|medium|low)\b", words)):
        correction.priority = level
        mentions.discard("priority")
    if correction.email:
        mentions.discard("email")
    correction.ask_again = mentions
    return correction
