"""Word error rate between what the caller said and what the recognizer heard.

Both sides are first put in the same spoken form (``normalize``), so that only
real recognition errors count: case and punctuation go, a written form a
recognizer likes ("example.com", "10", "B-T-H", "a@b") becomes the words a
caller says ("example dot com", "ten", "b t h", "a at b"), and a hyphenated
compound is one word ("Wi-Fi" is "wifi"). Contractions and spellings are left
alone: "I am" for "I'm" counts as two errors, as it would for the assistant's
NLU.

``word_errors`` is the Levenshtein distance over words (substitutions,
deletions, insertions; rapidfuzz computes it); WER is errors over reference words, and can pass 1.0
when the recognizer adds words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

_DOT_BETWEEN = re.compile(r"(?<=\w)\.(?=\w)")
_NUMBER = re.compile(r"\d+")
_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
_SEPARATORS = re.compile(r"[-_/]+")
_NOT_WORD = re.compile(r"[^\w' ]+")
_QUOTES = re.compile(r"(?<!\w)'|'(?!\w)")


def number_words(digits: str) -> str:
    """0 to 99 as words ("10" -> "ten"); longer numbers digit by digit, as callers say them."""
    value = int(digits)
    if len(digits) > 2 or (len(digits) == 2 and digits[0] == "0"):
        return " ".join(_ONES[int(d)] for d in digits)
    if value < 20:
        return _ONES[value]
    tens, ones = divmod(value, 10)
    return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")


def _unhyphenate(match: re.Match[str]) -> str:
    """Spelled letters ("B-T-H") are separate words; a compound ("Wi-Fi") is one."""
    parts = match.group().split("-")
    return " ".join(parts) if all(len(part) == 1 for part in parts) else "".join(parts)


def normalize(text: str) -> list[str]:
    """The words of ``text`` in a caller's spoken form, lower case."""
    text = text.casefold().replace("\u2019", "'")
    text = text.replace("@", " at ").replace("&", " and ")
    text = _DOT_BETWEEN.sub(" dot ", text)
    text = _NUMBER.sub(lambda match: f" {number_words(match.group())} ", text)
    text = _HYPHENATED.sub(_unhyphenate, text)
    text = _SEPARATORS.sub(" ", text)
    text = _NOT_WORD.sub(" ", text)
    text = _QUOTES.sub(" ", text)
    return text.split()


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word errors, reference words) after normalizing both texts."""
    ref = normalize(reference)
    return Levenshtein.distance(ref, normalize(hypothesis)), len(ref)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of one utterance (0.0 for an empty reference heard as nothing)."""
    errors, words = word_errors(reference, hypothesis)
    if words == 0:
        return 0.0 if errors == 0 else float(errors)
    return errors / words


@dataclass
class Tally:
    """Word errors and reference words summed over many utterances (corpus WER)."""

    errors: int = 0
    words: int = 0
    utterances: int = 0

    def add(self, reference: str, hypothesis: str) -> None:
        errors, words = word_errors(reference, hypothesis)
        self.errors += errors
        self.words += words
        self.utterances += 1

    @property
    def rate(self) -> float | None:
        return self.errors / self.words if self.words else None
