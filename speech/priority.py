"""Turn a caller's answer to "how urgent is it?" into ``high``, ``medium`` or ``low``.

Callers rarely say the level itself: "it's blocking me", "no rush", "so so",
"number one". The answer is read as words and matched against cue phrases,
longest first:

* a cue after a negation ("not urgent", "it's not blocking me", "nothing
  critical") means the opposite of urgent: ``low``; a negated "medium" or
  "low" cue counts for nothing;
* "somewhat", "kind of", "a bit" before an urgent cue soften it to ``medium``;
* numbers count only as an answer ("two", "number one", "priority 3", "it's
  a one"): 1 is high, 2 medium, 3 low, so "no one can work" is not a number;
* "hi" (how recognisers hear a lone "high") counts only as the whole answer;
* when several cues match, the last one wins, so a correction such as "no,
  the priority is low" or "high, sorry, medium" gives the corrected level.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["HIGH", "LOW", "MEDIUM", "Priority", "parse_priority"]

Priority = Literal["high", "medium", "low"]
HIGH: Priority = "high"
MEDIUM: Priority = "medium"
LOW: Priority = "low"


def _phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(text.split()) for text in texts)


_URGENT = _phrases(
    "high", "higher", "highest", "urgent", "urgently", "asap", "a s a p",
    "as soon as possible", "critical", "emergency", "blocking", "blocked", "blocker",
    "block", "blocks", "important", "top priority", "severe", "serious", "crucial",
    "pressing", "immediately", "right away", "right now", "big deal",
    "cant work", "cannot work", "can not work", "unable to work", "cant do my job",
    "cannot do my job", "cant do anything", "cannot do anything", "no one can work",
    "nobody can work", "everything is down", "completely down", "stuck",
    "in a hurry", "rush", "hurry", "cant wait", "cannot wait", "can not wait",
)  # fmt: skip
_MEDIUM = _phrases(
    "medium", "normal", "moderate", "moderately", "so so", "average", "middle",
    "mid", "in between", "in the middle", "regular", "standard", "not too bad",
    "fairly", "somewhat", "reasonably",
)  # fmt: skip
_LOW = _phrases(
    "low", "lower", "lowest", "no rush", "no hurry", "no big deal", "not a big deal",
    "not a priority", "no priority", "whenever", "when you can", "when you get a chance",
    "when you get to it", "when you have time", "take your time", "in your own time",
    "can wait", "minor", "trivial", "no pressure", "not in a hurry", "eventually",
    "nothing serious", "not a rush",
)  # fmt: skip
_CUES: dict[tuple[str, ...], Priority] = {
    **{phrase: HIGH for phrase in _URGENT},
    **{phrase: MEDIUM for phrase in _MEDIUM},
    **{phrase: LOW for phrase in _LOW},
}
_LONGEST = max(len(phrase) for phrase in _CUES)

_NEGATIONS = frozenset(
    {
        "not", "isnt", "arent", "wasnt", "werent", "dont", "doesnt", "didnt", "never",
        "nothing", "without", "hardly", "barely", "neither", "nor", "aint", "wont",
    }
)  # fmt: skip
# Words that may stand between a negation and its cue: "not that urgent",
# "I don't think it's urgent".
_INTENSIFIERS = frozenset(
    {
        "a", "an", "very", "that", "too", "so", "really", "super", "particularly",
        "terribly", "extremely", "overly", "exactly", "quite", "remotely", "like",
        "all", "at", "me", "us", "it", "anything", "something", "the", "real", "think",
        "its", "is", "was", "thats", "this", "would", "say", "call", "consider", "feel",
        "believe", "i", "id", "im", "be", "even",
    }
)  # fmt: skip
_SOFTENERS = _phrases(
    "somewhat", "kind of", "kinda", "sort of", "sorta", "fairly", "moderately", "a bit",
    "a little", "a little bit", "slightly", "semi", "mildly", "reasonably",
)  # fmt: skip

_NUMBERS: dict[str, Priority] = {
    "one": HIGH, "1": HIGH, "p1": HIGH,
    "two": MEDIUM, "2": MEDIUM, "p2": MEDIUM,
    "three": LOW, "3": LOW, "p3": LOW,
}  # fmt: skip
# A number is an answer after one of these ("priority two", "it's a three").
_NUMBER_LEADS = frozenset(
    {"priority", "number", "level", "p", "a", "is", "its", "say", "be", "probably", "maybe"}
)
# Said alone, these are mishearings of an answer.
_WHOLE_ANSWERS: dict[tuple[str, ...], Priority] = {
    ("hi",): HIGH,
    ("hi", "priority"): HIGH,
    ("to",): MEDIUM,
    ("too",): MEDIUM,
    ("won",): HIGH,
}
_FILLERS = frozenset(
    {
        "um", "umm", "uh", "uhh", "er", "erm", "hmm", "well", "so", "oh", "its", "it", "is",
        "i", "id", "say", "think", "guess", "the", "priority", "please", "yeah", "yes",
        "ok", "okay", "just", "a", "number", "level",
    }
)  # fmt: skip

_WORD_RE = re.compile(r"[^\W_]+|[,.;:!?]+")
_BOUNDARY = ","


def _words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("'", "").replace("-", " ")
    return [_BOUNDARY if not word[0].isalnum() else word for word in _WORD_RE.findall(text)]


def _preceded_by(words: list[str], start: int, phrases: tuple[tuple[str, ...], ...]) -> bool:
    """True when one of ``phrases`` ends within the few words before ``start``."""
    index = start
    while index > 0:
        for phrase in phrases:
            if tuple(words[max(0, index - len(phrase)) : index]) == phrase:
                return True
        if words[index - 1] not in _INTENSIFIERS:
            return False
        index -= 1
    return False


def _negated(words: list[str], start: int) -> bool:
    """A negation before ``start``, with only intensifiers between."""
    index = start - 1
    while index >= 0 and words[index] in _INTENSIFIERS:
        index -= 1
    return index >= 0 and words[index] in _NEGATIONS


def _cue_levels(words: list[str]) -> list[Priority]:
    levels: list[Priority] = []
    index = 0
    while index < len(words):
        for size in range(min(_LONGEST, len(words) - index), 0, -1):
            phrase = tuple(words[index : index + size])
            level = _CUES.get(phrase)
            if level is not None:
                break
        else:
            level, size = _number_level(words, index), 1
            if level is not None:
                levels.append(level)
            index += 1
            continue
        if _negated(words, index):
            if level == HIGH:
                levels.append(LOW)
        elif level == HIGH and _preceded_by(words, index, _SOFTENERS):
            levels.append(MEDIUM)
        elif not (level == MEDIUM and phrase in _SOFTENERS and _followed_by_cue(words, index)):
            levels.append(level)
        index += size
    return levels


def _followed_by_cue(words: list[str], index: int) -> bool:
    """``fairly`` in "fairly urgent" is a softener, not an answer on its own."""
    following = words[index + 1 : index + 1 + _LONGEST]
    return any(tuple(following[:size]) in _CUES for size in range(1, len(following) + 1))


def _number_level(words: list[str], index: int) -> Priority | None:
    level = _NUMBERS.get(words[index])
    if level is None:
        return None
    if index == 0 or words[index - 1] in _NUMBER_LEADS:
        return level
    return None


def parse_priority(text: str) -> Priority | None:
    """``high``, ``medium`` or ``low`` from a spoken answer, or None when unclear."""
    if not isinstance(text, str):
        return None
    words = _words(text)
    content = tuple(word for word in words if word not in _FILLERS and word != _BOUNDARY)
    if content in _WHOLE_ANSWERS:
        return _WHOLE_ANSWERS[content]
    if len(content) == 1 and content[0] in _NUMBERS:
        return _NUMBERS[content[0]]
    levels = _cue_levels([word for word in words if word not in ("um", "uh", "er", "erm")])
    return levels[-1] if levels else None
