"""The seam between the offline device and the audio mode.

``HeardCall`` is a ``TwilioCall`` whose ``say`` does not pass the caller's
words through: it hands them, with the hints of the ``<Gather>`` that is
listening, to a ``transcribe(text, hints) -> (text, confidence)`` callable and
posts what comes back as ``SpeechResult`` and ``Confidence``, as Twilio would
after recognizing the caller. Nothing recognized is posted as an empty result
(the channel's ``actionOnEmptyResult``), which the assistant treats as silence.
Keys, silence, hold and hang-up are TwilioCall's own. ``HeardEngine`` plays a
HeardCall like any call and adds each step's spoken lines to its result, and
``heard_factory`` gives the offline device such calls (``--audio-engine``).

``PhoneEar`` is the transcriber: synthesize, phone line, recognizer, with a
cache (the same words under the same hints sound and are heard the same), and
``PhoneEar.for_call()`` gives one call's transcribe callable, which says a
repeated line more slowly each time (as a caller asked to repeat does) and
records what was said and heard for the word error rate.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from e2e.audio.phone_line import DEFAULT_VOICE, check_voice, parse_voice, phone_line, synthesize
from e2e.audio.recognizer import ENGINES, Recognition, Recognizer, parse_hints
from e2e.device.app import CallParameters
from e2e.device.engine import CallEngine, Step, StepResult
from e2e.device.service import PLACEHOLDER_NUMBER
from e2e.device.switches import Switchboard
from emulators.twilio_call import Turn, TwilioCall

Transcribe = Callable[[str, str], tuple[str, float]]
SLOWER_PER_REPEAT = 0.2  # a repeated line is said 20% more slowly each time


@dataclass(frozen=True)
class CallerStyle:
    """How one test's caller sounds: the voice, how fast they talk, the line's noise.

    Set per test file in ``configuration: virtualDeviceConfig:`` (``audioVoice:
    espeak-ng:en-us``, ``audioSpeed: 1.3``, ``audioLineNoiseSnrDb: 15``); what a
    file leaves out is the run's default.
    """

    voice: str = DEFAULT_VOICE
    speed: float = 1.0  # 1.3: 30% faster than the voice's normal rate
    snr_db: float | None = None  # None: a clean line

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], voice: str) -> CallerStyle:
        """From a call's ``virtualDeviceConfig`` (``audioVoice``, ``audioSpeed``,
        ``audioLineNoiseSnrDb``); ``voice`` is the run's default. ValueError if malformed."""
        noise = settings.get("audioLineNoiseSnrDb")
        try:
            style = cls(
                voice=str(settings.get("audioVoice") or voice),
                speed=float(settings.get("audioSpeed") or 1.0),
                snr_db=None if noise in (None, "") else float(noise),
            )
        except (TypeError, ValueError):
            raise ValueError(
                f"audioSpeed and audioLineNoiseSnrDb must be numbers: {dict(settings)}"
            ) from None
        if not 0.5 <= style.speed <= 2.0:
            raise ValueError(f"audioSpeed must be between 0.5 and 2, got {style.speed}")
        return style


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

    def hear(
        self, text: str, hints: str = "", attempt: int = 0, style: CallerStyle | None = None
    ) -> Recognition:
        style = style or CallerStyle(voice=self.voice)
        key = (text, hints, attempt, style)
        if key not in self.cache:
            slower = (1.0 + SLOWER_PER_REPEAT * attempt) / style.speed
            speech = synthesize(text, style.voice, slower)
            audio = phone_line(speech, style.snr_db, seed=zlib.crc32(text.encode()))
            phrases = parse_hints(hints) if self.use_hints else []
            self.cache[key] = self.recognizer.recognize(audio, phrases)
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

    def say(self, words: str, confidence: float = 0.92) -> Turn:
        heard, heard_confidence = self.transcribe(words, (self.gather or {}).get("hints", ""))
        return super().say(heard, heard_confidence) if heard.strip() else super().silence()


class HeardEngine(CallEngine):
    """A call engine that adds each step's spoken lines to its result (``debug.heard``),
    so bst's report carries them to the audio report."""

    def __init__(self, call: HeardCall, switchboard: Switchboard, ear: CallerEar) -> None:
        super().__init__(call, switchboard)
        self.ear = ear

    def play(self, step: Step, call_settings: Mapping[str, Any]) -> StepResult | None:
        first = len(self.ear.lines)
        result = super().play(step, call_settings)
        if result is not None:
            result.debug["heard"] = [asdict(line) for line in self.ear.lines[first:]]
        return result


def heard_factory(
    voice_url: str,
    emulators: Mapping[str, str],
    engine: str,
    voice: str = "",
    use_hints: bool = True,
) -> Callable[[CallParameters], CallEngine]:
    """The offline device's calls in audio mode: one recognizer, one ear per call."""
    voice = voice or DEFAULT_VOICE
    check_voice(voice)
    ear = PhoneEar(ENGINES[engine](), voice, use_hints)

    def make(parameters: CallParameters) -> CallEngine:
        style = CallerStyle.from_settings(parameters.settings, voice)
        parse_voice(style.voice)
        caller = ear.for_call(style)
        called = parameters.phone_number or PLACEHOLDER_NUMBER
        call = HeardCall(voice_url, emulators["twilio"], transcribe=caller, called=called)
        return HeardEngine(call, Switchboard(emulators), caller)

    return make
