"""Turn what a caller said into an email address.

Speech recognition writes an address the way it was spoken: ``"j p k at
bespoken dot i o"``, ``"john underscore smith at example dot com"``, with
fillers around it (``"um it's fred dot luddy at example dot com"``) or, now and
then, already written (``"beth.anglin@example.com"``). Duckling only catches
the last letter before ``at`` (``k@bespoken.io``), so the address is rebuilt
here from the words:

1. Words are normalised: ``dot``/``period``/``point`` to ``.``, ``underscore``
   to ``_``, ``dash``/``hyphen``/``minus`` to ``-``, ``at``/``at sign`` to ``@``,
   spoken digits to digits, ``double u`` to ``w``, ``double s`` to ``ss``,
   ``b as in bravo`` to ``b``; ``capital``/``upper case`` and hesitations
   (``um``, ``uh``) are dropped.
2. Each ``@`` is tried, last first (a caller who corrects himself says the
   right address last). The domain is read after it: labels joined by dots, the
   last label one word or a run of spelled letters (``i o``), so words after
   the address (``"... dot com thanks"``) are left out.
3. The local part is read backwards from the ``@`` until a carrier word
   (``is``, ``it's``, ``that's``, ``my``, ``email``...), so ``"my email is
   abraham dot lincoln"`` gives ``abraham.lincoln``. Words are joined without
   spaces: recognisers split ``johnsmith`` into ``john smith``.
4. NATO words (``juliett papa kilo``) and letter names (``jay pee kay``) become
   letters only next to other spelled letters: ``mike dot smith`` stays ``mike``.

The first candidate that :func:`is_valid_email` accepts is returned, lower-case.
"""

from __future__ import annotations

import re

__all__ = ["is_valid_email", "normalise", "parse_spoken_email"]

_LOCAL_RE = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*", re.ASCII)
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_TLD_RE = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})", re.ASCII)


def is_valid_email(address: str) -> bool:
    """A plausible address: ``local@label.label``, no full RFC 5322.

    ASCII only, case-insensitive; the local part has no leading, trailing or
    doubled dot (at most 64 characters); the domain has at least two labels
    of letters, digits and inner hyphens, and an alphabetic top-level label.
    """
    if not isinstance(address, str) or len(address) > 254 or address.count("@") != 1:
        return False
    local, domain = address.lower().split("@")
    if not 0 < len(local) <= 64 or not _LOCAL_RE.fullmatch(local):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not _TLD_RE.fullmatch(labels[-1]):
        return False
    return all(_LABEL_RE.fullmatch(label) for label in labels)


# ---------------------------------------------------------------- vocabulary

_DOT, _AT, _BOUNDARY = ".", "@", ","
_SYMBOLS = {
    "dot": _DOT,
    "period": _DOT,
    "point": _DOT,
    "underscore": "_",
    "dash": "-",
    "hyphen": "-",
    "minus": "-",
    "plus": "+",
    "at": _AT,
}
_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("at", "sign"): (_AT,),
    ("at", "symbol"): (_AT,),
    ("at", "the", "rate", "of"): (_AT,),
    ("at", "the", "rate"): (_AT,),
    ("at", "the", "rates"): (_AT,),
    ("full", "stop"): (_DOT,),
    ("under", "score"): ("_",),
    ("dotcom",): (_DOT, "com"),
    ("dotnet",): (_DOT, "net"),
    ("dotorg",): (_DOT, "org"),
    ("double", "u"): ("w",),
    ("double", "you"): ("w",),
    ("upper", "case"): (),
    ("lower", "case"): (),
    ("all", "lower", "case"): (),
    ("all", "lowercase"): (),
    ("all", "one", "word"): (),
    ("one", "word"): (),
    ("no", "spaces"): (),
    ("no", "space"): (),
}
_MARKERS = frozenset({"capital", "capitals", "caps", "uppercase", "lowercase", "small"})
_HESITATIONS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ehm", "hmm", "mm", "ah"})
# Words that end the local part when reading backwards from the "@".
_CARRIERS = frozenset(
    {
        "is", "its", "it", "thats", "that", "was", "be", "my", "our", "the", "your",
        "email", "emails", "mail", "address", "me", "im", "so", "yeah", "yes", "yep",
        "okay", "ok", "sure", "well", "oh", "and", "or", "please", "try", "use",
        "reach", "contact", "send", "write", "to", "no", "not", "sorry", "actually",
        "mean", "wait", "correction", "instead", "rather", _AT, _BOUNDARY,
    }
)  # fmt: skip
_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_NATO = {
    "alpha": "a", "alfa": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e",
    "foxtrot": "f", "golf": "g", "hotel": "h", "india": "i", "juliet": "j",
    "juliett": "j", "kilo": "k", "lima": "l", "mike": "m", "november": "n",
    "oscar": "o", "papa": "p", "quebec": "q", "romeo": "r", "sierra": "s",
    "tango": "t", "uniform": "u", "victor": "v", "whiskey": "w", "whisky": "w",
    "xray": "x", "yankee": "y", "zulu": "z",
}  # fmt: skip
# How recognisers write letter names; only used next to other spelled letters.
_LETTER_NAMES = {
    "ay": "a", "bee": "b", "cee": "c", "dee": "d", "ee": "e", "ef": "f", "eff": "f",
    "gee": "g", "aitch": "h", "haitch": "h", "jay": "j", "kay": "k", "el": "l",
    "ell": "l", "em": "m", "en": "n", "pee": "p", "cue": "q", "queue": "q",
    "ar": "r", "ess": "s", "tee": "t", "vee": "v", "ex": "x", "wye": "y",
    "zed": "z", "zee": "z",
}  # fmt: skip
_SPELLABLE = {**_NATO, **_LETTER_NAMES}

# Words, digits, the symbols an address is written with, and punctuation. A
# period inside a word ("beth.anglin") is a dot; after a spelled letter
# ("J. P. K.") it is dropped; elsewhere, like a comma, it ends a phrase.
_TOKEN_RE = re.compile(r"(?P<word>[^\W_]+|[@_+-])|(?P<dot>\.)(?=[^\W_])|(?P<stop>[.,;:!?]+)")


# Recognizers write a spelled word as "b-e-t-h": those hyphens are not dashes.
_SPELLED_WITH_HYPHENS = re.compile(r"\b[a-z0-9](?:-[a-z0-9])+\b")


def _words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("'", "").replace("x-ray", "xray")
    text = _SPELLED_WITH_HYPHENS.sub(lambda spelled: spelled[0].replace("-", " "), text)
    words: list[str] = []
    for found in _TOKEN_RE.finditer(text):
        if found["stop"] is None:
            words.append(found[0])
        elif found[0] != "." or not (words and _is_letter(words[-1])):
            words.append(_BOUNDARY)
    return words


def _is_letter(word: str) -> bool:
    return len(word) == 1 and word.isalpha()


def _apply_phrases(words: list[str]) -> list[str]:
    longest = max(len(phrase) for phrase in _PHRASES)
    out: list[str] = []
    index = 0
    while index < len(words):
        for size in range(longest, 0, -1):
            replacement = _PHRASES.get(tuple(words[index : index + size]))
            if replacement is not None:
                out.extend(replacement)
                index += size
                break
        else:
            out.append(words[index])
            index += 1
    return out


_EXAMPLE_CONNECTORS = (("as", "in"), ("as",), ("for",), ("like",))


def _example_length(words: list[str], start: int, letter: str) -> int:
    """Length of ``as in bravo`` after ``letter`` at ``words[start:]``, else 0."""
    for connector in _EXAMPLE_CONNECTORS:
        end = start + len(connector)
        if tuple(words[start:end]) == connector and end < len(words):
            example = words[end]
            if example.startswith(letter) and len(example) > 1 and example.isalpha():
                return len(connector) + 1
    return 0


def _among_digits(before: list[str], following: str) -> bool:
    return bool(before and before[-1].isdigit()) or following in _UNITS or following.isdigit()


def _letters_and_digits(words: list[str]) -> list[str]:
    """Spoken numbers to digits, ``double x`` to ``xx``, ``b as in bravo`` to ``b``."""
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in _HESITATIONS or word in _MARKERS:
            index += 1
        elif word in _TENS:
            if _UNITS.get(following):
                out.append(str(_TENS[word] + _UNITS[following]))
                index += 2
            else:
                out.append(str(_TENS[word]))
                index += 1
        elif word in _TEENS:
            out.append(str(_TEENS[word]))
            index += 1
        elif word == "oh" and not _among_digits(out, following):
            out.append(word)  # "oh" is zero only among other digits
            index += 1
        elif word in _UNITS:
            out.append(str(_UNITS[word]))
            index += 1
        elif word in ("double", "triple") and (
            _is_letter(following) or following.isdigit() or following in _UNITS
        ):
            count = 2 if word == "double" else 3
            spoken = _UNITS.get(following)
            out.extend([str(spoken) if spoken is not None else following] * count)
            index += 2
        elif _is_letter(word) and _example_length(words, index + 1, word):
            out.append(word)
            index += 1 + _example_length(words, index + 1, word)
        else:
            out.append(_SYMBOLS.get(word, word))
            index += 1
    return out


def _spelled(words: list[str]) -> list[str]:
    """NATO words and letter names to letters, when next to other spelled letters."""

    def spelled_like(word: str) -> bool:
        return _is_letter(word) or word in _SPELLABLE

    out = list(words)
    for index, word in enumerate(words):
        if word not in _SPELLABLE:
            continue
        before = words[index - 1] if index > 0 else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        if spelled_like(before) or spelled_like(after):
            out[index] = _SPELLABLE[word]
    return out


def normalise(text: str) -> list[str]:
    """The words of ``text`` as address pieces: letters, digits, words, ``. _ - + @``."""
    return _spelled(_letters_and_digits(_apply_phrases(_words(text))))


def _is_piece(word: str) -> bool:
    """Part of a domain label (letters, digits, hyphens)."""
    return word not in (_DOT, _AT, _BOUNDARY, "_", "+")


def _domain(words: list[str], start: int) -> str | None:
    """The domain that starts at ``words[start]``, or None without a dot."""
    labels: list[str] = []
    index = start
    while True:
        label: list[str] = []
        while index < len(words) and _is_piece(words[index]):
            label.append(words[index])
            index += 1
        at_dot = index < len(words) and words[index] == _DOT
        if at_dot and label:
            labels.append("".join(label))
            index += 1
            continue
        if not label or not labels:
            return None
        # The last label: one word, or a run of spelled letters ("i o").
        last = label[0]
        if _is_letter(last):
            for word in label[1:]:
                if not _is_letter(word):
                    break
                last += word
        labels.append(last)
        return ".".join(labels)


def _local(words: list[str], end: int) -> str:
    """The local part that ends just before ``words[end]`` (the ``@``)."""
    pieces: list[str] = []
    index = end - 1
    while index >= 0 and words[index] not in _CARRIERS:
        pieces.append(words[index])
        index -= 1
    local = "".join(reversed(pieces))
    return local.strip(".")


def parse_spoken_email(text: str) -> str | None:
    """The email address in a caller's answer, lower-case, or None.

    None when nothing in ``text`` reads as ``something at domain dot tld``.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    words = normalise(text)
    for at in reversed([index for index, word in enumerate(words) if word == _AT]):
        domain = _domain(words, at + 1)
        if domain is None:
            continue
        local = _local(words, at)
        address = f"{local}@{domain}"
        if is_valid_email(address):
            return address
    return None
