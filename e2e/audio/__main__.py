"""Runs the Bespoken e2e suite in audio mode and prints pass rates and word error rates.

    make e2e-audio                                   # installs the audio parts first
    .venv/bin/python -m e2e.audio                    # whisper, flite's kal16 voice
    .venv/bin/python -m e2e.audio --engine pocketsphinx --voice espeak-ng:en-us
    .venv/bin/python -m e2e.audio --no-hints         # without the <Gather> hints as prompt
    .venv/bin/python -m e2e.audio --engine none      # perfect recognition: the baseline
    .venv/bin/python -m e2e.audio e2e/tests/greeting.e2e.yml

Every test is one call to a private local stack, as in ``make e2e``, but each
spoken line goes through ``PhoneEar`` (synthesis, 8 kHz mu-law, recognition).
It is a measurement: the exit status is 0 whenever the suite could be played,
however many calls fail (``--require-passes N`` makes fewer than N passes exit 1,
as CI does); 2 when the audio parts or a test file are missing.
E2E_INCLUDE_TAGS / E2E_EXCLUDE_TAGS select tests as for ``make e2e``; the
report is also written as JSON (``--json``, default var/e2e/audio-report.json).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from e2e.audio.caller import CallerEar, CallerStyle, HeardCall, PhoneEar
from e2e.audio.phone_line import DEFAULT_VOICE, PhoneLineError, missing_programs, parse_voice
from e2e.audio.recognizer import ENGINES, RecognizerError, make_recognizer
from e2e.audio.report import CallOutcome, misheard, percent, summarize, table
from e2e.device.__main__ import PLACEHOLDER_NUMBER
from e2e.device.local_stack import LocalStack, local_stack
from e2e.runner.check import report
from e2e.runner.play import play_case
from e2e.runner.suite import (
    E2E_DIR,
    Case,
    Configuration,
    SuiteError,
    TestFile,
    find_test_files,
    load_test_file,
    skip_reasons,
)
from emulators.twilio_call import TwilioCall

ROOT = E2E_DIR.parent
DEFAULT_JSON = ROOT / "var" / "e2e" / "audio-report.json"


def _tags(name: str) -> list[str] | None:
    raw = os.environ.get(name)
    return None if raw is None else [tag.strip() for tag in raw.split(",") if tag.strip()]


def selected_cases(
    configuration: Configuration, paths: Sequence[Path]
) -> list[tuple[TestFile, Case]]:
    """The tests to play, with the tag rules of ``make e2e`` (SuiteError for a broken file)."""
    include, exclude = _tags("E2E_INCLUDE_TAGS"), _tags("E2E_EXCLUDE_TAGS")
    cases = []
    for path in paths:
        file = load_test_file(path, configuration)
        for case, reason in skip_reasons(file, configuration, include, exclude):
            if reason is None:
                cases.append((file, case))
    return cases


def caller_style(configuration: Configuration, file: TestFile, voice: str) -> CallerStyle:
    """The file's ``audioCaller`` settings over the run's voice (SuiteError if malformed)."""
    raw = configuration.value("audioCaller", file.configuration)
    if raw is not None and not isinstance(raw, dict):
        raise SuiteError(file.path, "audioCaller must be a mapping")
    try:
        style = CallerStyle.from_configuration(raw, voice)
        parse_voice(style.voice)
    except (ValueError, PhoneLineError) as error:
        raise SuiteError(file.path, str(error)) from None
    return style


def play(
    stack: LocalStack,
    configuration: Configuration,
    file: TestFile,
    case: Case,
    ear: PhoneEar | None,
) -> CallOutcome:
    """One test as one call; ``ear`` None plays it with perfect recognition."""
    started = time.perf_counter()
    caller = ear.for_call(caller_style(configuration, file, ear.voice)) if ear else None
    where = dict(called=PLACEHOLDER_NUMBER, twilio_api_url=stack.emulators.get("twilio"))
    if caller is not None:
        call: TwilioCall = HeardCall(stack.voice_url, stack.auth_token, transcribe=caller, **where)
    else:
        call = TwilioCall(stack.voice_url, stack.auth_token, **where)
    outcomes = play_case(call, stack.emulators, configuration, file, case)
    passed = all(outcome.passed for outcome in outcomes)
    return CallOutcome(
        file=file.path.name,
        name=case.name,
        passed=passed,
        lines=list(caller.lines) if isinstance(caller, CallerEar) else [],
        failure="" if passed else report(case, outcomes, call.transcript),
        seconds=time.perf_counter() - started,
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m e2e.audio", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--engine",
        choices=[*ENGINES, "none"],
        default=os.environ.get("E2E_AUDIO_ENGINE", "whisper"),
        help="recognizer (E2E_AUDIO_ENGINE; 'none': text passed through, the baseline)",
    )
    parser.add_argument(
        "--voice",
        default=os.environ.get("E2E_AUDIO_VOICE", DEFAULT_VOICE),
        help="flite:NAME (kal16, slt, rms, awb, kal) or espeak-ng:NAME (E2E_AUDIO_VOICE)",
    )
    parser.add_argument(
        "--no-hints", action="store_true", help="recognize without the <Gather> hints"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the report")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every failed call")
    parser.add_argument(
        "--require-passes",
        type=int,
        default=0,
        metavar="N",
        help="exit 1 when fewer than N calls pass (CI's floor; default: a measurement only)",
    )
    parser.add_argument("files", nargs="*", type=Path, help="test files (default: all)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    configuration = Configuration.load(E2E_DIR / "testing.json")
    try:
        cases = selected_cases(configuration, args.files or find_test_files())
        ear = None
        if args.engine != "none":
            parse_voice(args.voice)
            if missing := missing_programs(args.voice):
                raise PhoneLineError(
                    f"missing Debian packages {missing}: run scripts/install_audio.sh"
                )
            ear = PhoneEar(make_recognizer(args.engine), args.voice, use_hints=not args.no_hints)
    except (OSError, SuiteError, PhoneLineError, RecognizerError) as error:
        print(f"e2e-audio: {error}", file=sys.stderr)
        return 2
    mode = "perfect recognition" if ear is None else f"{args.engine}, voice {args.voice}"
    if ear is not None and args.no_hints:
        mode += ", no hints"
    print(f"e2e-audio: {len(cases)} calls, {mode}", flush=True)

    outcomes: list[CallOutcome] = []
    with tempfile.TemporaryDirectory(prefix="e2e-audio-") as workdir:
        with local_stack(Path(workdir)) as stack:
            stack_ready = time.perf_counter()
            for file, case in cases:
                outcome = play(stack, configuration, file, case, ear)
                outcomes.append(outcome)
                words = summarize([outcome])[1].tally
                voice = caller_style(configuration, file, ear.voice).describe() if ear else "text"
                print(
                    f"{'PASS' if outcome.passed else 'FAIL'}  {outcome.file} :: {outcome.name}"
                    f"  ({len(outcome.lines)} lines, WER {percent(words.rate)},"
                    f" {outcome.seconds:.1f}s, {voice})",
                    flush=True,
                )
                if args.verbose and not outcome.passed:
                    print(outcome.failure, flush=True)
            calls_done = time.perf_counter()

    _, total = summarize(outcomes)
    timing = {
        "total_seconds": round(time.perf_counter() - began, 1),
        "stack_start_seconds": round(stack_ready - began, 1),
        "calls_seconds": round(calls_done - stack_ready, 1),
        "speech_seconds": round(ear.audio_seconds, 1) if ear else 0.0,
        "synthesis_and_recognition_seconds": round(ear.busy_seconds, 1) if ear else 0.0,
    }
    print()
    print(table(outcomes))
    if ear is not None and (wrong := misheard(outcomes)):
        print("\nmisheard lines (said -> heard, confidence):")
        print(wrong)
    print(
        f"\n{mode}: {total.passed}/{total.calls} calls passed ({percent(total.pass_rate)}),"
        f" WER {percent(total.tally.rate)};"
        f" {timing['total_seconds']}s in all ({timing['stack_start_seconds']}s starting the"
        f" stack, {timing['calls_seconds']}s of calls, of which"
        f" {timing['synthesis_and_recognition_seconds']}s synthesizing and recognizing"
        f" {timing['speech_seconds']}s of speech)"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "engine": args.engine,
                "voice": None if ear is None else args.voice,
                "hints": ear is not None and ear.use_hints,
                "passed": total.passed,
                "calls": total.calls,
                "wer": total.tally.rate,
                "timing": timing,
                "calls_played": [outcome.as_json() for outcome in outcomes],
            },
            indent=2,
        )
    )
    print(f"report: {args.json}")
    if total.passed < args.require_passes:
        print(
            f"e2e-audio: {total.passed} calls passed,"
            f" fewer than the {args.require_passes} required",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
