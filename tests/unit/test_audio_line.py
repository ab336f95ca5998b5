"""The audio mode's pieces: word error rate, the 8 kHz mu-law line, the HeardCall seam.

WER, the codec, the report and the seam are pure and run everywhere (numpy,
scipy and audioop are in the project's venv). The real synthesizers and
recognizers run as engines (flite, espeak-ng, Whisper): tests/integration/test_audio_engines.py.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from e2e.audio.__main__ import outcomes_from
from e2e.audio.caller import CallerEar, Heard, HeardCall, PhoneEar
from e2e.audio.phone_line import (
    PHONE_RATE,
    Audio,
    PhoneLineError,
    mulaw_decode,
    mulaw_encode,
    parse_voice,
    phone_line,
    resample,
)
from e2e.audio.recognizer import Recognition, parse_hints
from e2e.audio.report import CallOutcome, misheard, summarize, table
from e2e.audio.wer import Tally, normalize, number_words, wer, word_errors
from emulators.twilio_call import Turn

# -- word error rate ----------------------------------------------------------------


def test_identical_words_have_no_errors() -> None:
    assert wer("my vpn keeps disconnecting", "My VPN keeps disconnecting.") == 0.0


def test_high_heard_as_hi_is_one_substitution() -> None:
    assert word_errors("high", "Hi.") == (1, 1)
    assert wer("it's high", "it's hi") == 0.5


def test_outlook_heard_as_without_look_is_a_substitution_and_an_insertion() -> None:
    assert word_errors("outlook", "without look") == (2, 1)
    assert wer("outlook", "without look") == 2.0  # WER can pass 100%


def test_a_dropped_word_is_one_deletion() -> None:
    assert word_errors("check my ticket", "check ticket") == (1, 3)


def test_nothing_heard_is_every_word_deleted() -> None:
    assert wer("yes please", "") == 1.0
    assert wer("", "") == 0.0


def test_word_errors_count_substitutions_deletions_and_insertions() -> None:
    assert word_errors("a b c", "a b c") == (0, 3)
    assert word_errors("a b c", "a x c") == (1, 3)
    assert word_errors("a b c", "a c") == (1, 3)
    assert word_errors("a b c", "a b x c") == (1, 3)
    assert word_errors("", "a b") == (2, 0)
    assert word_errors("k i t t e n", "s i t t i n g") == (3, 6)


def test_written_forms_are_compared_as_spoken() -> None:
    assert normalize("abel.tuter@example.com") == "abel dot tuter at example dot com".split()
    assert normalize("It drops every 10 minutes.") == "it drops every ten minutes".split()
    assert normalize("B-T-H dot N-G-L-I-N") == "b t h dot n g l i n".split()
    assert normalize("I'm on the 'VPN', OK?") == ["i'm", "on", "the", "vpn", "ok"]
    assert normalize("Wi-Fi & teams") == ["wifi", "and", "teams"]
    assert normalize("my wifi is not working") == normalize("my Wi-Fi is not working")


def test_numbers_are_said_as_callers_say_them() -> None:
    assert number_words("7") == "seven"
    assert number_words("42") == "forty two"
    assert number_words("90") == "ninety"
    assert number_words("0042") == "zero zero four two"


def test_tally_is_the_corpus_word_error_rate_not_the_mean_of_rates() -> None:
    tally = Tally()
    tally.add("high", "hi")
    tally.add("it drops every ten minutes", "it drops every ten minutes")
    assert (tally.errors, tally.words, tally.utterances) == (1, 6, 2)
    assert tally.rate == pytest.approx(1 / 6)
    assert Tally().rate is None


# -- the phone line ------------------------------------------------------------------


def tone(frequency: float, rate: int, seconds: float = 0.5, amplitude: float = 8000) -> Audio:
    t = np.arange(int(rate * seconds)) / rate
    return Audio(np.round(amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.int16), rate)


def peak_frequency(audio: Audio) -> float:
    spectrum = np.abs(
        np.fft.rfft(audio.samples.astype(np.float64) * np.hanning(len(audio.samples)))
    )
    return float(np.fft.rfftfreq(len(audio.samples), 1 / audio.rate)[np.argmax(spectrum)])


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def test_mulaw_is_one_byte_a_sample_and_silence_encodes_as_0xff() -> None:
    pcm = np.zeros(160, dtype="<i2").tobytes()
    ulaw = mulaw_encode(pcm)
    assert len(ulaw) == 160
    assert set(ulaw) == {0xFF}  # G.711: zero is 0xFF after the bit inversion
    assert mulaw_decode(ulaw) == pcm


def test_mulaw_round_trip_keeps_a_tone_at_g711_quality() -> None:
    original = tone(1000, PHONE_RATE)
    decoded = np.frombuffer(mulaw_decode(mulaw_encode(original.pcm())), dtype="<i2")
    noise = decoded.astype(np.float64) - original.samples
    snr_db = 20 * np.log10(rms(original.samples) / rms(noise))
    assert 30 < snr_db < 45  # 8-bit companding: ~38 dB, far from lossless 16-bit


def test_mulaw_error_grows_with_the_signal_as_companding_does() -> None:
    quiet, loud = tone(500, PHONE_RATE, amplitude=300), tone(500, PHONE_RATE, amplitude=20000)

    def worst_error(audio: Audio) -> int:
        decoded = np.frombuffer(mulaw_decode(mulaw_encode(audio.pcm())), dtype="<i2")
        return int(np.max(np.abs(decoded.astype(np.int32) - audio.samples)))

    assert worst_error(quiet) < 20 < 200 < worst_error(loud)


def test_phone_line_is_8khz_and_keeps_the_length() -> None:
    line = phone_line(tone(440, 22050, seconds=1.0))
    assert line.rate == PHONE_RATE
    assert len(line.samples) == PHONE_RATE
    assert line.seconds == pytest.approx(1.0)


def test_phone_line_keeps_speech_band_tones() -> None:
    line = phone_line(tone(1000, 16000))
    assert peak_frequency(line) == pytest.approx(1000, abs=10)
    assert rms(line.samples) == pytest.approx(8000 / np.sqrt(2), rel=0.05)


def test_phone_line_filters_out_what_8khz_cannot_carry_instead_of_aliasing_it() -> None:
    # 5 kHz is above the 4 kHz Nyquist frequency: dropping samples would fold it to 3 kHz.
    line = phone_line(tone(5000, 16000))
    assert rms(line.samples) < 0.02 * rms(tone(5000, 16000).samples)


def test_resampling_up_and_down_preserves_a_tone() -> None:
    up = resample(tone(800, PHONE_RATE), 16000)
    assert up.rate == 16000 and len(up.samples) == 2 * int(0.5 * PHONE_RATE)
    assert peak_frequency(up) == pytest.approx(800, abs=10)
    assert np.array_equal(resample(up, 16000).samples, up.samples)


def test_wav_files_are_read_as_mono_16_bit() -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(np.array([0, 1000, -1000], dtype="<i2").tobytes())
    audio = Audio.from_wav(buffer.getvalue())
    assert audio.rate == 22050
    assert audio.samples.tolist() == [0, 1000, -1000]
    assert audio.floats().dtype == np.float32


def test_voices_name_an_engine_and_a_voice() -> None:
    assert parse_voice("flite:slt") == ("flite", "slt")
    assert parse_voice("espeak-ng") == ("espeak-ng", "en-us")
    with pytest.raises(PhoneLineError, match="engine must be one of"):
        parse_voice("polly:Joey")


def test_twilio_hints_become_a_list_of_phrases() -> None:
    assert parse_hints("high, medium,low , no rush") == ["high", "medium", "low", "no rush"]
    assert parse_hints("") == []
    assert parse_hints(None) == []


# -- the seam: HeardCall posts what was heard ------------------------------------------


LISTENING = {
    "heard": ["How urgent is it?"],
    "twiml": [],
    "request_seconds": [0.01],
    "gather": {"action": "/gather", "hints": "high, medium, low"},
    "hung_up": False,
    "conference": None,
    "agent_joined": False,
    "seen": [1, 0, 1],
}


class ScriptedCall(HeardCall):
    """A HeardCall whose every action is answered by a Gather; it records what it answered."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("http://voice.invalid", "http://twilio.invalid", **kwargs)
        self.posts: list[dict[str, str]] = []
        self.admin.dial_in = lambda *args: {}  # type: ignore[method-assign] - no emulator here

    def _act(self, action: str, params: dict[str, str] | None = None, **wait: float) -> Turn:
        self.posts.append(dict(params or {}))
        return self._heard(LISTENING)


def test_heard_call_posts_the_recognized_text_with_the_gathers_hints() -> None:
    asked: list[tuple[str, str]] = []

    def transcribe(text: str, hints: str) -> tuple[str, float]:
        asked.append((text, hints))
        return "hi", 0.61

    call = ScriptedCall(transcribe=transcribe)
    call.dial()
    call.say("high")
    assert asked == [("high", "high, medium, low")]
    assert call.posts[-1]["SpeechResult"] == "hi"
    assert call.posts[-1]["Confidence"] == "0.61"


def test_heard_call_posts_an_empty_result_when_nothing_was_recognized() -> None:
    call = ScriptedCall(transcribe=lambda text, hints: ("", 0.0))
    call.dial()
    call.say("mumble")
    assert "SpeechResult" not in call.posts[-1]
    assert call.posts[-1] == {}  # silence


def test_heard_call_leaves_key_presses_alone() -> None:
    call = ScriptedCall(transcribe=lambda text, hints: pytest.fail("keys are not spoken"))
    call.dial()
    call.press("1")
    assert call.posts[-1]["Digits"] == "1"


class FakeRecognizer:
    name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[float, Sequence[str]]] = []

    def recognize(self, audio: Audio, hints: Sequence[str] = ()) -> Recognition:
        self.calls.append((audio.seconds, list(hints)))
        return Recognition(f"heard {len(self.calls)}", 0.5)


@pytest.fixture
def fake_ear(monkeypatch: pytest.MonkeyPatch) -> tuple[PhoneEar, list[float]]:
    """A PhoneEar whose synthesizer is a tone as long as the requested slowness."""
    slowness: list[float] = []

    def fake_synthesize(text: str, voice: str = "", slower: float = 1.0) -> Audio:
        slowness.append(slower)
        return tone(300, 16000, seconds=0.25 * slower)

    monkeypatch.setattr("e2e.audio.caller.synthesize", fake_synthesize)
    return PhoneEar(FakeRecognizer()), slowness


def test_a_line_said_again_is_said_more_slowly_and_recorded(fake_ear: tuple) -> None:
    ear, slowness = fake_ear
    caller = ear.for_call()
    assert isinstance(caller, CallerEar)
    caller("it's urgent", "high, low")
    caller("it's urgent", "high, low")
    caller("yes", "")
    assert slowness == [1.0, 1.2, 1.0]
    assert [line.attempt for line in caller.lines] == [0, 1, 0]
    assert caller.lines[0] == Heard("it's urgent", "heard 1", 0.5, "high, low", 0)
    assert ear.recognizer.calls[0][1] == ["high", "low"]


def test_the_same_line_under_the_same_hints_is_recognized_once(fake_ear: tuple) -> None:
    ear, slowness = fake_ear
    assert ear.for_call()("yes", "yes, no") == ear.for_call()("yes", "yes, no")
    assert len(slowness) == 1
    assert ear.for_call()("yes", "") != ("heard 1", 0.5)  # other hints: heard anew


# -- the report ---------------------------------------------------------------------


def outcome(file: str, passed: bool, *pairs: tuple[str, str]) -> CallOutcome:
    return CallOutcome(file, "a call", passed, [Heard(s, h, 0.5) for s, h in pairs])


def test_summary_counts_pass_rate_and_wer_per_file_and_overall() -> None:
    outcomes = [
        outcome("a.e2e.yml", True, ("yes", "yes")),
        outcome("a.e2e.yml", False, ("high", "hi")),
        outcome("b.e2e.yml", True, ("check my ticket", "check my ticket")),
    ]
    files, total = summarize(outcomes)
    assert [(f.file, f.calls, f.passed) for f in files] == [
        ("a.e2e.yml", 2, 1),
        ("b.e2e.yml", 1, 1),
    ]
    assert files[0].pass_rate == 0.5 and files[0].tally.rate == 0.5
    assert (total.calls, total.passed, total.tally.errors, total.tally.words) == (3, 2, 1, 5)
    text = table(outcomes)
    assert text.splitlines()[0].split() == [
        "test", "file", "calls", "passed", "pass", "rate", "lines", "words", "errors", "WER",
    ]  # fmt: skip
    assert "a.e2e.yml" in text and text.splitlines()[-1].startswith("all files")
    assert "66.7%" in text.splitlines()[-1] and "20.0%" in text.splitlines()[-1]
    assert misheard(outcomes) == "a.e2e.yml:\n  'high' -> 'hi' (0.50)"


def test_the_audio_report_reads_bsts_results_and_the_lines_the_device_heard() -> None:
    line = {"said": "high", "heard": "hi", "confidence": 0.6, "hints": "", "attempt": 0}
    report = [
        {
            "_test": {"_description": "urgent", "_testSuite": {"_fileName": "/e2e/tests/a.yml"}},
            "_interactionResults": [
                {"_rawResponse": {"debug": {"heard": [line]}}},
                {"_rawResponse": {"debug": {}}, "_error": {"message": "expected x"}},
            ],
        },
        {"_test": {"_description": "calm"}, "_interactionResults": [{"_rawResponse": {}}]},
    ]
    failed, passed = outcomes_from(report)
    assert (failed.file, failed.name, failed.passed) == ("a.yml", "urgent", False)
    assert failed.lines == [Heard("high", "hi", 0.6)]
    assert "expected x" in failed.failure
    assert passed.passed and passed.lines == []
    assert outcomes_from({"not": "a list"}) == []
