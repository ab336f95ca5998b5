"""How ``bst test`` decides whether what was heard passes a step.

A port of skill-testing-ml 1.4.8 (``lib/test/Assertion.js``) and of the
virtual-device-sdk 1.9.3 homophones (``VirtualDevice.applyHomophones``), the
versions ``e2e/package-lock.json`` pins, so the offline runner passes and fails
exactly the steps the real CLI would:

- ``prompt: value`` (and ``==``) is an unanchored, case-insensitive regular
  expression test where ``*`` means anything and only ``+ ^ $ ?`` are escaped;
  other regex characters keep their meaning (``.`` matches any character).
- ``/pattern/flags`` (or ``=~``) is a real regular expression.
- a list passes when any one value does; ``!=`` passes when the text contains
  none of the values (plain substrings, not patterns).
- ``>``, ``>=``, ``<``, ``<=`` compare integers.
- ``lenientMode`` strips ``-.()"',;:!?*^$`` and runs of spaces on both sides.
- homophones rewrite the heard text before any assertion.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

Expected = Union[str, list[str], None]

OPERATORS = ("==", "=~", "!=", ">", ">=", "<", "<=")
NUMERIC_OPERATORS = (">", ">=", "<", "<=")
# Paths compared without regard to case (VirtualDeviceResponse.ignoreCase).
CASE_INSENSITIVE_PATHS = frozenset({"prompt", "transcript"})
_LENIENT_STRIP = re.compile(r"[-\f\n\r\t\v.()\"',;:!?*^$]")
_PATH_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


class PatternError(ValueError):
    """An expected value that is not a valid pattern (``bst`` errors out on it too)."""


@dataclass(frozen=True)
class Assertion:
    """One check of a step: ``path operator value``.

    ``original_operator`` is ``":"`` for the ``utterance: value`` and
    ``{path: value}`` forms, where a value written ``/like this/`` is a regex.
    """

    path: str
    operator: str
    value: Expected
    original_operator: str = ":"
    line: int | None = None

    def describe(self) -> str:
        if isinstance(self.value, list):
            options = " | ".join(repr(v) for v in self.value)
            how = "to contain none of" if self.operator == "!=" else "to match one of"
            return f"{self.path} {how}: {options}"
        if self.operator == "!=":
            return f"{self.path} not to contain: {self.value!r}"
        if self.operator in NUMERIC_OPERATORS:
            return f"{self.path} {self.operator} {self.value}"
        return f"{self.path} to match: {self.value!r}"


def js_string(value: Any) -> str:
    """``String(value)`` as JavaScript writes it."""
    if value is None:
        return "undefined"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def lenient(value: Any) -> str:
    """The text without punctuation and extra spaces (``lenientMode``)."""
    text = _LENIENT_STRIP.sub(" ", js_string(value))
    return re.sub(r"  +", " ", text).strip()


def apply_homophones(text: str, homophones: Mapping[str, Sequence[str]]) -> str:
    """Replaces misheard variants with the word (``_`` in a key is a space).

    A variant matches on word boundaries (space, ``,.:;"'`` or the ends), case
    insensitively; like the SDK, the variant itself is read as a pattern.
    """
    for key, variants in homophones.items():
        word = " ".join(str(key).split("_"))
        for variant in variants:
            variant = str(variant).strip()
            if not variant:
                continue
            pattern = re.compile(
                r"(?:(?<=[\s,.:;\"'])|^)" + variant + r"(?=[\s,.:;\"']|$)", re.IGNORECASE
            )
            text = pattern.sub(lambda _match, word=word: word, text)
    return text


def value_at_path(result: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a simple JSONPath (``prompt``, ``$.debug.turns[0]``), or None."""
    if result is None:
        return None
    path = path.strip()
    if path.startswith("$"):
        path = path[1:]
    current: Any = result
    position = 0
    while position < len(path):
        match = _PATH_TOKEN.match(path, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
        name, index, quoted, double_quoted = match.groups()
        key: Any = name if name is not None else quoted if quoted is not None else double_quoted
        if index is not None:
            if not isinstance(current, list) or int(index) >= len(current):
                return None
            current = current[int(index)]
        elif isinstance(current, Mapping) and key in current:
            current = current[key]
        elif isinstance(current, list) and key is not None and key.isdigit():
            current = current[int(key)] if int(key) < len(current) else None
        else:
            return None
    return current


def _js_number(value: Any) -> float:
    """``Number(value)`` (NaN for text that is not a number)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = js_string(value).strip()
    if text == "":
        return 0.0
    try:
        return float(text)
    except ValueError:
        return math.nan


def _js_parse_int(value: Any) -> float:
    """``parseInt(value, 10)``: the leading integer, or NaN."""
    match = re.match(r"\s*([+-]?\d+)", js_string(value))
    return float(int(match.group(1))) if match else math.nan


def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as error:
        raise PatternError(f"{pattern!r} is not a valid pattern: {error}") from None


def _matches_string(expected: Any, actual: Any, ignore_case: bool, lenient_mode: bool) -> bool:
    """``Assertion.evaluateString``: a wildcard pattern searched anywhere in the text."""
    expected_text, actual_text = js_string(expected), js_string(actual)
    if lenient_mode:
        pattern = lenient(expected_text)
        actual_text = lenient(actual_text)
    else:
        pattern = expected_text.strip().replace("*", "(.|\\n)*")
        for special in "+^$?":
            pattern = pattern.replace(special, "\\" + special)
    return _compile(pattern, re.IGNORECASE if ignore_case else 0).search(actual_text) is not None


def _matches_regex(expected: Any, actual: Any, ignore_case: bool) -> bool:
    """``Assertion.evaluateRegex``: ``/pattern/flags`` or a bare pattern."""
    pattern, options = js_string(expected), ""
    if pattern.startswith("/"):
        pattern = pattern[1:]
        end = pattern.rfind("/")
        options = pattern[end + 1 :]
        pattern = pattern[:end] if end != -1 else ""
    flags = 0
    if ignore_case or "i" in options:
        flags |= re.IGNORECASE
    if "m" in options:
        flags |= re.MULTILINE
    if "s" in options:
        flags |= re.DOTALL
    try:
        return re.search(pattern, js_string(actual), flags) is not None
    except re.error:
        return False  # bst catches a bad regex and fails the step


def _is_regex(assertion: Assertion, expected: Any) -> bool:
    return assertion.operator == "=~" or (isinstance(expected, str) and expected.startswith("/"))


def _matches_one(
    assertion: Assertion, expected: Any, actual: Any, options: tuple[bool, bool]
) -> bool:
    ignore_case, lenient_mode = options
    operator = assertion.operator
    if assertion.original_operator == ":":
        operator = "=~" if _is_regex(assertion, expected) else "=="
    if operator == "=~":
        return _matches_regex(expected, actual, ignore_case)
    return _matches_string(expected, actual, ignore_case, lenient_mode)


def evaluate(
    assertion: Assertion, result: Mapping[str, Any] | None, lenient_mode: bool = False
) -> bool:
    """True when ``result`` (one step's JSON) passes ``assertion``."""
    actual = value_at_path(result, assertion.path)
    ignore_case = assertion.path in CASE_INSENSITIVE_PATHS
    expected = assertion.value
    if assertion.operator in ("==", "=~"):
        if expected is None:
            return actual is None
        if actual is None:
            return False
        values = expected if isinstance(expected, list) else [expected]
        return any(
            _matches_one(assertion, value, actual, (ignore_case, lenient_mode)) for value in values
        )
    if assertion.operator in NUMERIC_OPERATORS:
        if math.isnan(_js_number(actual)):
            return False
        want, got = _js_parse_int(expected), _js_parse_int(actual)
        if math.isnan(want) or math.isnan(got):
            return False
        return {
            ">": got > want,
            ">=": got >= want,
            "<": got < want,
            "<=": got <= want,
        }[assertion.operator]
    if assertion.operator == "!=":
        if expected is None:
            return actual is not None
        if actual is None:
            return True
        text = js_string(actual)
        if ignore_case:
            text = text.lower()
        if not isinstance(expected, list) and not text:
            return True
        values = expected if isinstance(expected, list) else [expected]
        for value in values:
            needle = js_string(value)
            if ignore_case:
                needle = needle.lower()
            if needle in text:
                return False
        return True
    raise ValueError(f"operator not implemented: {assertion.operator}")
