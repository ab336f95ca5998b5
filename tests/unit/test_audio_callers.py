"""The audio mode's other callers: another voice, a faster speaker, a noisy line."""

from __future__ import annotations

import numpy as np
import pytest

from e2e.audio.caller import CallerStyle, PhoneEar
from e2e.audio.phone_line import PHONE_RATE, Audio, add_line_noise, phone_line
from e2e.audio.recognizer import Recognition


def tone(hz: float, rate: int, seconds: float = 0.5, amplitude: float = 8000.0) -> Audio:
    t = np.arange(int(rate * seconds)) / rate
    return Audio((amplitude * np.sin(2 * np.pi * hz * t)).astype(np.int16), rate)


def snr_db(clean: np.ndarray, noisy: np.ndarray) -> float:
    noise = noisy.astype(np.float64) - clean.astype(np.float64)
    return 10 * np.log10(np.mean(clean.astype(np.float64) ** 2) / np.mean(noise**2))


@pytest.mark.parametrize("wanted", [15.0, 5.0])
def test_line_noise_is_added_at_the_asked_signal_to_noise_ratio(wanted: float) -> None:
    clean = tone(440, PHONE_RATE)
    noisy = add_line_noise(clean, wanted, seed=1)
    assert snr_db(clean.samples, noisy.samples) == pytest.approx(wanted, abs=0.3)
    assert np.array_equal(noisy.samples, add_line_noise(clean, wanted, seed=1).samples)


def test_noise_goes_on_the_narrowband_line_before_the_codec() -> None:
    clean, noisy = phone_line(tone(440, 16000)), phone_line(tone(440, 16000), snr_db=15.0)
    assert noisy.rate == PHONE_RATE
    assert len(noisy.samples) == len(clean.samples)
    assert snr_db(clean.samples, noisy.samples) == pytest.approx(15.0, abs=1.0)


def test_silence_stays_silent() -> None:
    quiet = Audio(np.zeros(800, dtype=np.int16), PHONE_RATE)
    assert not add_line_noise(quiet, 15.0).samples.any()


def test_a_files_audio_settings_override_the_runs_voice() -> None:
    style = CallerStyle.from_settings(
        {"audioVoice": "espeak-ng:en-us", "audioSpeed": "1.3", "audioLineNoiseSnrDb": "15"},
        "flite:kal16",
    )
    assert style == CallerStyle("espeak-ng:en-us", 1.3, 15.0)
    assert CallerStyle.from_settings({}, "flite:slt") == CallerStyle("flite:slt")
    with pytest.raises(ValueError, match="audioSpeed"):
        CallerStyle.from_settings({"audioSpeed": 5}, "flite:kal16")
    with pytest.raises(ValueError, match="numbers"):
        CallerStyle.from_settings({"audioSpeed": "fast"}, "flite:kal16")


class Recognizer:
    def __init__(self) -> None:
        self.heard: list[float] = []

    def recognize(self, audio: Audio, hints: object = ()) -> Recognition:
        self.heard.append(audio.seconds)
        return Recognition("ok", 0.9)


def test_a_faster_caller_is_synthesized_faster_and_cached_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[str, float]] = []

    def synthesize(text: str, voice: str = "", slower: float = 1.0) -> Audio:
        asked.append((voice, round(slower, 3)))
        return tone(300, 16000, seconds=0.4 * slower)

    monkeypatch.setattr("e2e.audio.caller.synthesize", synthesize)
    ear = PhoneEar(Recognizer())
    ear.for_call()("yes", "")
    ear.for_call(CallerStyle("espeak-ng:en-us", speed=1.25))("yes", "")
    ear.for_call(CallerStyle("espeak-ng:en-us", speed=1.25))("yes", "")
    assert asked == [("flite:kal16", 1.0), ("espeak-ng:en-us", 0.8)]
