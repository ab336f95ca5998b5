"""What one step of a Bespoken test says, and how long the caller then listens.

Utterances: ``$DIAL``, key presses (``$1``), ``$PAUSE [n]``, an audio URL (not
playable offline), or words (SSML is not read: no test file needs it). Listening:
until a ``finishOnPhrase`` is heard, for ``listeningTimeout`` seconds, or until
the assistant stops talking; a ``repeatOnPhrase`` makes the caller say it again.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_LISTENING_TIMEOUT = 45.0


class StepError(RuntimeError):
    """A step the offline device cannot play (an audio file, a broken webhook...)."""


_KEYS = re.compile(r"^\$([0-9*#]+)$")
_PAUSE = re.compile(r"^\$PAUSE(?:\s+(\d+(?:\.\d+)?))?$", re.IGNORECASE)
_AUDIO = re.compile(r"^https?://\S+$", re.IGNORECASE)
_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True)
class Utterance:
    """What the caller does in a step."""

    kind: str  # dial, speech, keys, silence, pause, audio
    text: str = ""
    seconds: float = 0.0

    @classmethod
    def parse(cls, utterance: str) -> Utterance:
        text = (utterance or "").strip()
        if text.upper() == "$DIAL":
            return cls("dial")
        if keys := _KEYS.match(text):
            return cls("keys", keys.group(1))
        if pause := _PAUSE.match(text):
            return cls("pause", seconds=float(pause.group(1))) if pause.group(1) else cls("silence")
        if not text:
            return cls("silence")
        if _AUDIO.match(text):
            return cls("audio", text)
        return cls("speech", text)

    @property
    def repeatable(self) -> bool:
        return self.kind in ("speech", "keys")


def phrases(value: Any) -> tuple[str, ...]:
    """A phrase setting as a tuple: a string, a list, or a JSON list in a query parameter."""
    if value is None or value == "":
        return ()
    if isinstance(value, str) and value.strip().startswith("["):
        with contextlib.suppress(ValueError):  # not JSON after all: one phrase
            value = json.loads(value)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if str(v).strip())
    return (str(value),)


def _seconds(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise StepError(f"listeningTimeout must be a number of seconds, got {value!r}") from None
    # Bespoken documents seconds; treat large values as milliseconds.
    return seconds / 1000 if seconds > 600 else seconds


@dataclass(frozen=True)
class Listening:
    """How long the caller listens after a step."""

    finish_on: tuple[str, ...] = ()
    repeat_on: tuple[str, ...] = ()
    timeout: float | None = None

    @classmethod
    def from_settings(
        cls, call_settings: Mapping[str, Any], step_settings: Mapping[str, Any]
    ) -> Listening:
        def pick(name: str) -> Any:
            return step_settings[name] if name in step_settings else call_settings.get(name)

        return cls(
            finish_on=phrases(pick("finishOnPhrase")),
            repeat_on=phrases(pick("repeatOnPhrase")),
            timeout=_seconds(pick("listeningTimeout")),
        )

    @property
    def keeps_listening(self) -> bool:
        return bool(self.finish_on) or self.timeout is not None

    @property
    def limit(self) -> float:
        return self.timeout if self.timeout is not None else DEFAULT_LISTENING_TIMEOUT


def phrase_end(text: str, phrase: str) -> int | None:
    """Where ``phrase`` ends in ``text`` (words in order, any case or punctuation)."""
    words = _WORD.findall(phrase.lower())
    if not words:
        return None
    pattern = r"(?<![\w'])" + r"[^\w']+".join(map(re.escape, words)) + r"(?![\w'])"
    match = re.search(pattern, text, re.IGNORECASE)
    if match is None:
        return None
    end = match.end()
    while end < len(text) and text[end] in ".,;:!?":
        end += 1
    return end
