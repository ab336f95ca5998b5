"""A caller's words as a telephone line delivers them: synthesized, then 8 kHz mu-law.

``synthesize`` speaks a line with a Debian text-to-speech program (flite or
espeak-ng, run as a subprocess); ``phone_line`` does what the PSTN and Twilio's
media path do to it: a band-limited resample to 8 kHz, G.711 mu-law encoding
(8 bits a sample) and decoding back to 16-bit PCM. What comes out is the 8 kHz
audio a recognizer on Twilio's side would get; each recognizer resamples it to
the rate its model wants.

The codec is ``audioop``'s G.711 (in the standard library up to Python 3.12),
the resampler ``scipy.signal.resample_poly`` (a polyphase FIR with an
anti-aliasing low-pass), both already in the project's venv.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import warnings
import wave
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from settings.tooling import DEFAULT_E2E_AUDIO_VOICE

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # deprecated in 3.11, removed in 3.13; the project is on 3.10

PHONE_RATE = 8000
SYNTH_TIMEOUT = 30.0
DEFAULT_VOICE = DEFAULT_E2E_AUDIO_VOICE  # flite:kal16; E2E_AUDIO_VOICE overrides it
SYNTHESIZERS = ("flite", "espeak-ng")  # each a program on PATH and the Debian package of it
ESPEAK_WORDS_PER_MINUTE = 165


class PhoneLineError(RuntimeError):
    """A voice that cannot be used (unknown engine, program missing, synthesis failed)."""


@dataclass(frozen=True)
class Audio:
    """Mono 16-bit PCM samples at ``rate`` Hz."""

    samples: np.ndarray  # int16
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0

    def pcm(self) -> bytes:
        return self.samples.astype("<i2").tobytes()

    def floats(self) -> np.ndarray:
        """Samples scaled to [-1, 1), as float32 (what Whisper takes)."""
        return self.samples.astype(np.float32) / 32768.0

    @classmethod
    def from_pcm(cls, pcm: bytes, rate: int) -> Audio:
        return cls(np.frombuffer(pcm, dtype="<i2").astype(np.int16), rate)

    @classmethod
    def from_wav(cls, data: bytes) -> Audio:
        """A mono 16-bit WAV file's samples (what flite and espeak-ng write)."""
        with wave.open(io.BytesIO(data)) as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise PhoneLineError("expected mono 16-bit WAV from the synthesizer")
            return cls.from_pcm(wav.readframes(wav.getnframes()), wav.getframerate())


def _to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def resample(audio: Audio, rate: int) -> Audio:
    """Band-limited resampling (polyphase FIR, anti-aliasing low-pass at the lower Nyquist)."""
    if audio.rate == rate or len(audio.samples) == 0:
        return Audio(audio.samples, rate)
    step = gcd(audio.rate, rate)
    out = resample_poly(audio.samples.astype(np.float64), rate // step, audio.rate // step)
    return Audio(_to_int16(out), rate)


def mulaw_encode(pcm: bytes) -> bytes:
    """16-bit little-endian PCM to G.711 mu-law, one byte a sample."""
    return audioop.lin2ulaw(pcm, 2)


def mulaw_decode(ulaw: bytes) -> bytes:
    """G.711 mu-law back to 16-bit little-endian PCM."""
    return audioop.ulaw2lin(ulaw, 2)


def add_line_noise(audio: Audio, snr_db: float, seed: int = 0) -> Audio:
    """``audio`` with white noise (hiss on the line) at ``snr_db`` below the speech's power.

    The power is that of the samples above a silence floor, so pauses do not
    make the noise quieter; the generator is seeded, so a run can be repeated.
    """
    samples = audio.samples.astype(np.float64)
    if len(samples) == 0:
        return audio
    floor = 0.02 * float(np.max(np.abs(samples)))
    speech = samples[np.abs(samples) > floor]
    power = float(np.mean(speech**2)) if len(speech) else 0.0
    if power == 0.0:
        return audio
    noise = np.random.default_rng(seed).normal(0.0, 1.0, len(samples))
    noise *= np.sqrt(power / 10 ** (snr_db / 10)) / max(float(np.std(noise)), 1e-12)
    return Audio(_to_int16(samples + noise), audio.rate)


def phone_line(audio: Audio, snr_db: float | None = None, seed: int = 0) -> Audio:
    """What reaches the far end of a phone call: 8 kHz, mu-law encoded then decoded.

    ``snr_db`` adds line noise on the narrowband leg, before the codec.
    """
    narrow = resample(audio, PHONE_RATE)
    if snr_db is not None:
        narrow = add_line_noise(narrow, snr_db, seed)
    return Audio.from_pcm(mulaw_decode(mulaw_encode(narrow.pcm())), PHONE_RATE)


def parse_voice(voice: str) -> tuple[str, str]:
    """``"flite:kal16"`` or ``"espeak-ng:en-us"`` as (engine, voice name)."""
    engine, _, name = voice.partition(":")
    if engine not in SYNTHESIZERS:
        known = ", ".join(SYNTHESIZERS)
        raise PhoneLineError(f"unknown voice {voice!r}: the engine must be one of {known}")
    return engine, name or ("kal16" if engine == "flite" else "en-us")


def check_voice(voice: str) -> str:
    """The voice's program; PhoneLineError unless the voice is known and its program installed."""
    engine = parse_voice(voice)[0]
    program = shutil.which(engine)
    if not program:
        raise PhoneLineError(f"missing Debian package {engine}: run scripts/install_audio.sh")
    return program


def synthesize(text: str, voice: str = DEFAULT_VOICE, slower: float = 1.0) -> Audio:
    """Speaks ``text`` with flite or espeak-ng; ``slower`` > 1 stretches the speech."""
    engine, name = parse_voice(voice)
    program = check_voice(voice)
    with tempfile.TemporaryDirectory(prefix="e2e-voice-") as folder:
        wav = Path(folder) / "line.wav"
        if engine == "flite":
            command = [program, "-voice", name, "--setf", f"duration_stretch={slower:.2f}"]
            command += ["-t", text, "-o", str(wav)]
        else:
            rate = round(ESPEAK_WORDS_PER_MINUTE / slower)
            command = [program, "-v", name, "-s", str(rate), "-w", str(wav), text]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=SYNTH_TIMEOUT)  # noqa: S603 - fixed program, text as one argument
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            stderr = getattr(error, "stderr", b"") or b""
            raise PhoneLineError(
                f"{engine} could not say {text!r}: {stderr.decode(errors='replace')}"
            ) from None
        return Audio.from_wav(wav.read_bytes())
