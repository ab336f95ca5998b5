"""Audio mode for the offline e2e suite: the caller is heard through a phone line.

``phone_line`` speaks a caller's line (flite or espeak-ng) and passes it
through 8 kHz G.711 mu-law; ``recognizer`` turns it back into text offline
(faster-whisper ``tiny.en`` or PocketSphinx, models shipped in PyPI wheels);
``caller.HeardCall`` posts that text and confidence as ``SpeechResult`` and
``Confidence``; ``wer`` scores it; ``python -m e2e.audio`` (``make e2e-audio``)
plays the suite and prints pass rate and word error rate per test file.

The audio packages are optional (``requirements-audio.txt``,
``scripts/install_audio.sh``): ``phone_line`` and ``wer`` need only what the
project's venv already has, the recognizers import their engines when built.
"""
