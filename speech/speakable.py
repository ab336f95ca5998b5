"""Text written for the ear: what text-to-speech should say so a caller understands.

A voice cannot show ``beth.anglin@example.com`` or ``INC0010007``; read as they
are, a synthesiser says "beth-dot-anglin-at-example-dot-com" too fast to write
down, or "INC ten thousand and seven". These functions spell what has to be
spelled, with commas where a listener needs a pause:

* :func:`spell_email` - ``"jpk@bespoken.io"`` -> ``"j p k at bespoken dot i o"``;
  the local part letter by letter, domain labels as words unless they are
  short or unpronounceable (``io``, ``uk``, ``ibm``);
* :func:`speak_incident_number` - ``"INC0010007"`` -> ``"I N C, 0 0 1, 0 0 0 7"``:
  letters, then the digits one by one in groups the way phone numbers are
  grouped (3 then 4 for ServiceNow's seven digits), every leading zero kept;
* :func:`speak_date` - ``"May 21st"``, with the year only when it is not this year;
* :func:`speak_phone_number` - ``"+15551234567"`` -> ``"5 5 5, 1 2 3, 4 5 6 7"``;
* :func:`render_for_speech` - all of these applied to free text, plus URLs,
  emoji, markdown markers and extra whitespace removed. Rendering rendered text
  changes nothing, and no input makes it raise.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

__all__ = [
    "render_for_speech",
    "speak_date",
    "speak_incident_number",
    "speak_phone_number",
    "speak_time",
    "spell_email",
]

_CHARACTER_NAMES = {
    ".": "dot",
    "_": "underscore",
    "-": "dash",
    "+": "plus",
    "@": "at",
    "%": "percent",
    "&": "and",
    "'": "apostrophe",
    "/": "slash",
    "=": "equals",
    "#": "hash",
    "!": "exclamation mark",
    "~": "tilde",
}
# Short domain labels read as words; other labels of three letters or fewer
# are spelled ("io", "uk", "ibm").
_WORD_LABELS = frozenset(
    {
        "com", "org", "net", "gov", "mil", "biz", "co", "me", "my", "go", "app", "dev",
        "web", "pro", "art", "bot", "box", "hub", "lab", "top",
    }
)  # fmt: skip
# Labels people spell out although a synthesiser could pronounce them.
_SPELLED_LABELS = frozenset({"edu", "int", "ai", "io", "tv", "uk", "us", "eu", "gg", "ly"})
_VOWELS = frozenset("aeiouy")


def _spell(text: str) -> list[str]:
    return [_CHARACTER_NAMES.get(char, char) for char in text if not char.isspace()]


def _pronounceable(word: str) -> bool:
    """A guess: four letters or more, vowels, no run of four consonants."""
    if len(word) < 4 or not word.isalpha() or not word.isascii():
        return False
    if not _VOWELS.intersection(word):
        return False
    return re.search(r"[^aeiouy]{4}", word) is None


def _speak_label(label: str) -> list[str]:
    """One domain label: a word, or spelled; digits and hyphens one by one."""
    words: list[str] = []
    for part in re.findall(r"[a-z]+|[0-9]|-|[^a-z0-9-]", label.lower()):
        if part.isalpha() and part.isascii():
            if part in _WORD_LABELS or (part not in _SPELLED_LABELS and _pronounceable(part)):
                words.append(part)
            else:
                words.extend(part)
        else:
            words.extend(_spell(part))
    return words


def spell_email(email: str) -> str:
    """Read an address so it can be written down.

    ``"abel.tuter@example.com"`` -> ``"a b e l dot t u t e r at example dot com"``.
    Anything without an ``@`` is spelled as a local part.
    """
    local, at, domain = email.strip().lower().partition("@")
    words = _spell(local)
    if at:
        words.append("at")
        for index, label in enumerate(domain.split(".")):
            if index:
                words.append("dot")
            words.extend(_speak_label(label))
    return " ".join(words)


def _digit_groups(digits: str) -> list[str]:
    """Groups to read with a pause between: 3+4 for seven digits, like a phone number."""
    if len(digits) <= 5:
        return [digits] if digits else []
    if len(digits) <= 8:
        return [digits[:-4], digits[-4:]]
    head = len(digits) % 4 or 4
    if head == 1:
        head = 5
    return [digits[:head]] + [digits[index : index + 4] for index in range(head, len(digits), 4)]


def speak_incident_number(number: str) -> str:
    """``"INC0010007"`` -> ``"I N C, 0 0 1, 0 0 0 7"``.

    The prefix letter by letter, then the digits one by one in groups (see
    :func:`_digit_groups`); commas make the synthesiser pause.
    """
    text = re.sub(r"\s+", "", number).upper()
    found = re.fullmatch(r"([A-Z]*)([0-9]*)", text, re.ASCII)
    if found is None:
        return " ".join(_spell(text))
    prefix, digits = found.groups()
    groups = [" ".join(prefix)] if prefix else []
    groups += [" ".join(group) for group in _digit_groups(digits)]
    return ", ".join(groups)


_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def _ordinal(day: int) -> str:
    """1st 2nd 3rd 4th ... 11th 12th 13th ... 21st 22nd 23rd ... 31st."""
    suffix = "th" if 11 <= day % 100 <= 13 else _SUFFIXES.get(day % 10, "th")
    return f"{day}{suffix}"


_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


def speak_date(day: date, today: date | None = None) -> str:
    """``"May 21st"``; ``"May 21st, 2027"`` when not in ``today``'s year (default: now)."""
    if isinstance(day, datetime):
        day = day.date()
    current = today or date.today()
    spoken = f"{_MONTHS[day.month - 1]} {_ordinal(day.day)}"
    if day.year != current.year:
        spoken += f", {day.year}"
    return spoken


def speak_time(moment: time) -> str:
    """``"2:05 PM"``, ``"9 AM"``, ``"noon"``, ``"midnight"`` (12-hour clock)."""
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "noon"
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    if moment.minute == 0:
        return f"{hour} {suffix}"
    return f"{hour}:{moment.minute:02d} {suffix}"


def speak_phone_number(number: str) -> str:
    """``"+15551234567"`` -> ``"5 5 5, 1 2 3, 4 5 6 7"``.

    North American numbers (ten digits, or eleven starting with 1) are read
    3-3-4 without the country code; any other number digit by digit, with
    ``plus`` when it starts with ``+``.
    """
    text = number.strip()
    digits = "".join(char for char in text if char in "0123456789")
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    elif len(digits) != 10 or text.startswith("+"):
        spoken = " ".join(digits)
        return f"plus {spoken}" if text.startswith("+") and digits else spoken
    return ", ".join(" ".join(part) for part in (digits[:3], digits[3:6], digits[6:]))


# ------------------------------------------------------------------ free text

_MARKDOWN_LINK_RE = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_URL_RE = re.compile(
    r"(?:(?:https?|ftp)://|(?<![\w@.-])www\.)(?:[^\s<>\"]*[^\s<>\"\.,;:!?)\]'])?",
    re.IGNORECASE,
)
_MAILTO_RE = re.compile(r"\bmailto:", re.IGNORECASE)
# Bullets (- * + and typographic ones), headers, quotes and list numbers.
_BULLET_RE = re.compile(
    "^[ \t]*(?:(?:[-*+\u2022\u2023\u25e6\u25aa\u2013\u2014]|#{1,6}|>|[0-9]{1,3}[.)])"
    "(?=\\s|$)[ \t]*)+",
    re.MULTILINE,
)
_EMPHASIS_RE = re.compile(r"(?<!\w)(_{1,2})(?=\S)([^\n]+?)(?<=\S)\1(?!\w)")
_MARKUP_CHARS_RE = re.compile(r"[*`~|]+|#{2,}")
_LINE_END_RE = re.compile(r"[.!?:;,]$")
_SPEAKABLES_RE = re.compile(
    r"(?P<email>(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.[A-Za-z]{2,}(?![\w-]))"
    r"|(?P<incident>(?<![A-Za-z0-9])(?:INC|RITM|REQ|SCTASK|TASK|CHG|PRB|PTASK|KB)[0-9]{7}"
    r"(?![A-Za-z0-9]))"
    r"|(?P<date>(?<![\w-])(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?(?![\w-]))"
    r"|(?P<phone>(?<![\w+])\+[0-9]{8,15}(?![\w]))",
    re.ASCII | re.IGNORECASE,
)
# Kept although they are symbols: a voice can say them.
_SAYABLE_SYMBOLS = frozenset("°©®™§¶†‰€£¥¢$%&")
# Pictographs, private use, unassigned, surrogates, format characters (joiners).
_DROPPED_CATEGORIES = frozenset({"So", "Co", "Cn", "Cs", "Cf"})
# Variation selectors, the keycap mark and skin tones: parts of an emoji.
_EMOJI_PARTS_RE = re.compile("[\ufe00-\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0100-\U000e01ef]")


def _strip_symbols(text: str) -> str:
    """Emoji and other pictographs, with their modifiers; control characters."""
    out: list[str] = []
    after_dropped = False
    for char in _EMOJI_PARTS_RE.sub("", text):
        category = unicodedata.category(char)
        if category == "Cc" and not char.isspace():
            out.append(" ")
            after_dropped = False
        elif category in _DROPPED_CATEGORIES and char not in _SAYABLE_SYMBOLS:
            after_dropped = True
        elif after_dropped and category in ("Mn", "Me"):
            continue  # a combining mark on a dropped pictograph
        else:
            out.append(char)
            after_dropped = False
    return "".join(out)


def _speak_match(found: re.Match[str], today: date | None) -> str:
    if found["email"]:
        return spell_email(found["email"])
    if found["incident"]:
        return speak_incident_number(found["incident"])
    if found["phone"]:
        return speak_phone_number(found["phone"])
    try:
        day = date(int(found["year"]), int(found["month"]), int(found["day"]))
        spoken = speak_date(day, today)
        if found["hour"] is not None:
            spoken += " at " + speak_time(time(int(found["hour"]), int(found["minute"])))
    except ValueError:  # not a real date: read the digits as they are
        return " ".join(found[0].replace("-", " ").replace(":", " ").split())
    return spoken


def _join_lines(text: str) -> str:
    """One line: a line break becomes a period unless the line ends with punctuation."""
    lines = [line.strip() for line in text.splitlines()]
    spoken: list[str] = []
    for line in lines:
        if not line:
            continue
        if spoken and not _LINE_END_RE.search(spoken[-1]):
            spoken[-1] += "."
        spoken.append(line)
    return " ".join(spoken)


def _render_once(text: str, today: date | None) -> str:
    text = _strip_symbols(text)
    text = _MARKDOWN_LINK_RE.sub(lambda found: found[1], text)
    text = _URL_RE.sub(" ", text)
    text = _MAILTO_RE.sub("", text)
    text = _BULLET_RE.sub("", text)
    text = _EMPHASIS_RE.sub(lambda found: found[2], text)
    text = _MARKUP_CHARS_RE.sub(" ", text)
    text = _join_lines(text)
    text = _SPEAKABLES_RE.sub(lambda found: _speak_match(found, today), text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    return " ".join(text.split())


def render_for_speech(text: str, today: date | None = None) -> str:
    """Free text ready for text-to-speech.

    Emails, incident numbers (``INC0010007``, ``RITM...``), ISO dates
    (``2024-05-21``, optionally with a time) and E.164 phone numbers are
    spoken with the functions above; URLs, emoji, markdown bullets, emphasis
    and headers are removed, line breaks become sentence ends and whitespace
    collapses to single spaces. ``today`` decides whether dates need their
    year; a time after a date is read as written (its zone is not converted).
    Never raises.
    """
    try:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        for _ in range(4):  # removing markup can reveal something to speak
            rendered = _render_once(text, today)
            if rendered == text:
                break
            text = rendered
        return text
    except Exception:  # a voice must say something rather than crash the call
        return " ".join(str(text).split())
