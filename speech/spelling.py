"""An email spelled letter by letter, and "no, the third letter is u".

When an address was misheard twice, the caller spells it. The letters
themselves ("b e t h", "t as in tango", "t for tom", "tango", "double t")
are read by :func:`speech.spoken_email.parse_spoken_email`; this module adds
what a spelling conversation needs on top: a spelled local part without
"at ..." completes with the domain already heard, and a correction of one
letter by its position changes that letter only, so the caller never has to
spell everything again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from speech.spoken_email import is_valid_email, parse_spoken_email

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8,
    "8th": 8, "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "eleventh": 11, "11th": 11,
    "twelfth": 12, "12th": 12, "last": -1,
}  # fmt: skip
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip
_POSITION = (
    r"(?:the\s+)?(?P<ordinal>[a-z0-9]+)\s+letter"  # the third letter
    r"|letter\s+(?:number\s+)?(?P<number>[a-z0-9]+)"  # letter three / letter number 3
)
_CORRECTION = re.compile(
    rf"(?:{_POSITION})\s+(?:is|should\s+be|must\s+be|was|to|=|isn't\s+\w+\s+it's|is\s+not\s+\w+\s+it's)"
    r"\s+(?:an?\s+)?(?P<letter>.+)$"
)
_CHANGE = re.compile(
    rf"(?:change|make)\s+(?:{_POSITION})\s+(?:to|into|an?)\s+(?:an?\s+)?(?P<letter>.+)$"
)


@dataclass(frozen=True)
class LetterCorrection:
    """Replace the letter at ``position`` (1-based; -1 is the last) with ``letter``."""

    position: int
    letter: str


def _position(ordinal: str | None, number: str | None) -> int | None:
    word = (ordinal or number or "").lower()
    if word in _ORDINALS:
        return _ORDINALS[word]
    if word in _NUMBERS:
        return _NUMBERS[word]
    return int(word) if word.isdigit() and 0 < int(word) < 64 else None


def _one_letter(spoken: str) -> str | None:
    """``"u"``, ``"u as in uniform"``, ``"uniform"``, ``"a you"`` -> ``"u"``."""
    # After a spelled "x", NATO words and letter names count as letters too.
    found = parse_spoken_email(f"x {spoken} at x.io")
    if found and len(found.partition("@")[0]) == 2:
        return found[1]
    words = re.findall(r"[a-z0-9]+", spoken.lower())
    return "u" if words and words[0] in ("you", "yew") else None


def parse_letter_correction(text: str) -> LetterCorrection | None:
    """ "no, the third letter is u" -> LetterCorrection(3, "u"); None if it is not one."""
    words = " ".join(re.findall(r"[a-z0-9']+", text.lower()))
    found = _CORRECTION.search(words) or _CHANGE.search(words)
    if not found:
        return None
    position = _position(found.group("ordinal"), found.group("number"))
    letter = _one_letter(found.group("letter"))
    if position is None or letter is None:
        return None
    return LetterCorrection(position, letter)


def apply_correction(email: str, correction: LetterCorrection) -> str | None:
    """``email`` with one letter of its local part replaced; None if out of range.

    Positions count letters and digits as spelled back ("a b e l dot ..."):
    dots, dashes and underscores are not letters.
    """
    local, at, domain = email.partition("@")
    places = [index for index, char in enumerate(local) if char.isalnum()]
    position = correction.position
    if not places or position == 0 or abs(position) > len(places):
        return None
    index = places[position - 1] if position > 0 else places[position]
    fixed = f"{local[:index]}{correction.letter}{local[index + 1 :]}{at}{domain}"
    return fixed if is_valid_email(fixed) else None


def parse_spelled_email(text: str, domain: str | None = None) -> str | None:
    """The address a caller spelled; without "at ..." the ``domain`` already heard completes it."""
    found = parse_spoken_email(text)
    if found:
        return found
    if domain and not re.search(r"\bat\b|@", text.lower()):
        return parse_spoken_email(f"{text} at {domain}")
    return None


_NO_AT = re.compile(r"\bat\b|@")
_TRAILING_DOMAIN = re.compile(
    r"^(?P<local>.*\S)\s+(?P<domain>[a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)*\s+dot\s+[a-z]{2,6})[.!?]*$"
)
_SECOND_LEVEL = frozenset({"co", "com", "ac", "org", "net", "gov", "edu"})
_FILLERS = frozenset("and um uh er it's its my email address is the so".split())


def with_missing_at(text: str) -> str | None:
    """ "abel dot tuter example dot com" (the recognizer dropped "at") -> the address.

    The word before the final "dot <tld>" (two for "co dot uk") is taken as the
    domain, so a dropped "at" before "mail dot example dot com" is not recovered.
    """
    words = text.lower().strip()
    if _NO_AT.search(words):
        return None
    found = _TRAILING_DOMAIN.match(words)
    if not found:
        return None
    local, domain = found.group("local").split(), found.group("domain")
    if domain.split()[0] in _SECOND_LEVEL and len(local) > 1:  # "example dot co dot uk"
        domain = f"{local.pop()} dot {domain}"
    return parse_spoken_email(f"{' '.join(local)} at {domain}")


def heard_local_part(text: str) -> str:
    """Everything said before the last "at", as letters and dots: for fuzzy matching only.

    "V-T-H dot N-G-L-I, and at example dot com" -> "vth.ngli". The strict parser
    stops at the comma; the directory match wants every letter the caller said.
    """
    before = re.split(r"\s+at\s+|@", text.lower())
    segment = " ".join(before[:-1]) if len(before) > 1 else before[0]
    pieces = []
    for word in re.findall(r"[a-z0-9]+|\.", segment.replace("-", "")):
        if word in ("dot", "."):
            pieces.append(".")
        elif word not in _FILLERS:
            pieces.append(word)
    return re.sub(r"\.{2,}", ".", "".join(pieces)).strip(".")


def loose_email(text: str) -> str | None:
    """Every letter before the last "at", and the domain after it; for directory matching.

    Used when the strict parser finds no address at all in what was heard.
    """
    parts = re.split(r"\s+at\s+|@", text.lower())
    domain = parse_spoken_email(f"x at {parts[-1]}") if len(parts) > 1 else None
    local = heard_local_part(text)
    if not domain or not local:
        return None
    address = f"{local}@{domain.partition('@')[2]}"
    return address if is_valid_email(address) else None
