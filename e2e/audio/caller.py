"""The seam between the offline device and the audio mode.

``HeardCall`` is a ``TwilioCall`` whose ``say`` does not pass the caller's
words through: it hands them, with the hints of the ``<Gather>`` that is
listening, to a ``transcribe(text, hints) -> (text, confidence)`` callable and
posts what comes back as ``SpeechResult`` and ``Confidence``, as Twilio would
after recognizing the caller. Nothing recognized is posted as an empty result
(the channel's ``actionOnEmptyResult``), which the assistant treats as silence.
Keys, silence, hold and hang-up are TwilioCall's own. ``CallEngine`` plays a
HeardCall exactly like a TwilioCall; it does not know about audio.

``PhoneEar`` is the transcriber: synthesize, phone line, recognizer, with a
cache (the same words under the same hints sound and are heard the same), and
``PhoneEar.for_call()`` gives one call's transcribe callable, which says a
repeated line more slowly each time (as a caller asked to repeat does) and
records what was said and heard for the word error rate.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from e2e.audio.phone_line import DEFAULT_VOICE, phone_line, synthesize
from e2e.audio.recognizer import Recognition, Recognizer, parse_hints
from emulators.twilio_call import Turn, TwilioCall

Transcribe = Callable[[str, str], tuple[str, float]]
SLOWER_PER_REPEAT = 0.2  # a repeated line is said 20% more slowly each time


@dataclass(frozen=True)
class CallerStyle:
    """How one test's caller sounds: the voice, how fast they talk, the line's noise.

    Set per test file as ``configuration: audioCaller: {voice: "espeak-ng:en-us",
    speed: 1.3, lineNoiseSnrDb: 15}``; what a file leaves out is the run's default.
    """

    voice: str = DEFAULT_VOICE
    speed: float = 1.0  # 1.3: 30% faster than the voice's normal rate
    snr_db: float | None = None  # None: a clean line

    @classmethod
    def from_configuration(cls, raw: Mapping[str, Any] | None, voice: str) -> CallerStyle:
        raw = raw or {}
        noise = raw.get("lineNoiseSnrDb")
        style = cls(
            voice=str(raw.get("voice") or voice),
            speed=float(raw.get("speed") or 1.0),
            snr_db=None if noise is None else float(noise),
        )
        if not 0.5 <= style.speed <= 2.0:
            raise ValueError(f"audioCaller speed must be between 0.5 and 2, got {style.speed}")
        return style

    def describe(self) -> str:
        parts = [self.voice]
        if self.speed != 1.0:
            parts.append(f"{self.speed:g}x speed")
        if self.snr_db is not None:
            parts.append(f"noise {self.snr_db:g} dB SNR")
        return ", ".join(parts)


@dataclass(frozen=True)
class Heard:
    """One spoken line: what the caller said and what the recognizer made of it."""

    said: str
    heard: str
    confidence: float
    hints: str = ""
    attempt: int = 0


class PhoneEar:
    """Text to speech, through the phone line, to the recognizer; results cached."""

    def __init__(
        self, recognizer: Recognizer, voice: str = DEFAULT_VOICE, use_hints: bool = True
    ) -> None:
        self.recognizer = recognizer
        self.voice = voice
        self.use_hints = use_hints  # False: measure the recognizer without the <Gather> hints
        self.cache: dict[tuple[str, str, int, CallerStyle], Recognition] = {}
        self.audio_seconds = 0.0  # speech recognized (cache misses)
        self.busy_seconds = 0.0  # wall-clock time spent synthesizing and recognizing

    def hear(
        self, text: str, hints: str = "", attempt: int = 0, style: CallerStyle | None = None
    ) -> Recognition:
        style = style or CallerStyle(voice=self.voice)
        key = (text, hints, attempt, style)
        if key not in self.cache:
            started = time.perf_counter()
            slower = (1.0 + SLOWER_PER_REPEAT * attempt) / style.speed
            speech = synthesize(text, style.voice, slower)
            audio = phone_line(speech, style.snr_db, seed=zlib.crc32(text.encode()))
            phrases = parse_hints(hints) if self.use_hints else []
            self.cache[key] = self.recognizer.recognize(audio, phrases)
            self.audio_seconds += audio.seconds
            self.busy_seconds += time.perf_counter() - started
        return self.cache[key]

    def for_call(self, style: CallerStyle | None = None) -> CallerEar:
        return CallerEar(self, style or CallerStyle(voice=self.voice))


class CallerEar:
    """One call's ``transcribe(text, hints)``: repeats said more slowly, every line recorded."""

    def __init__(self, ear: PhoneEar, style: CallerStyle) -> None:
        self.ear = ear
        self.style = style
        self.lines: list[Heard] = []

    def __call__(self, text: str, hints: str) -> tuple[str, float]:
        last = self.lines[-1] if self.lines else None
        attempt = last.attempt + 1 if last is not None and last.said == text else 0
        recognition = self.ear.hear(text, hints, attempt, self.style)
        self.lines.append(Heard(text, recognition.text, recognition.confidence, hints, attempt))
        return recognition.text, recognition.confidence


class HeardCall(TwilioCall):
    """A TwilioCall whose caller is heard through ``transcribe`` instead of verbatim."""

    def __init__(self, *args: Any, transcribe: Transcribe, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.transcribe = transcribe
        self.hints = ""  # the hints of the <Gather> now listening

    def say(self, words: str, confidence: float = 0.92) -> Turn:
        heard, heard_confidence = self.transcribe(words, self.hints)
        entry = len(self.transcript)
        turn = super().say(heard, heard_confidence) if heard.strip() else super().silence()
        shown = f"{heard!r} ({heard_confidence:.2f})" if heard.strip() else "nothing"
        self.transcript[entry] = ("caller", f"{words} [heard {shown}]")
        return self._listening(turn)

    def dial(self) -> Turn:
        return self._listening(super().dial())

    def press(self, digits: str) -> Turn:
        return self._listening(super().press(digits))

    def silence(self) -> Turn:
        return self._listening(super().silence())

    def wait_on_hold(self, timeout: float = 20.0) -> Turn:
        return self._listening(super().wait_on_hold(timeout))

    def _listening(self, turn: Turn) -> Turn:
        self.hints = (turn.gather or {}).get("hints", "")
        return turn
