"""Runs the Bespoken e2e suite in audio mode and prints pass rates and word error rates.

    make e2e-audio                                   # installs the audio parts first
    .venv/bin/python -m e2e.audio                    # whisper, flite's kal16 voice
    .venv/bin/python -m e2e.audio --engine pocketsphinx --voice espeak-ng:en-us
    .venv/bin/python -m e2e.audio --no-hints         # without the <Gather> hints as prompt
    .venv/bin/python -m e2e.audio --engine none      # perfect recognition: the baseline
    .venv/bin/python -m e2e.audio tests/greeting.e2e.yml -- --include audio-voice

The real ``bst test`` plays and judges the files, as in ``make e2e-bst``; the
offline device hears each spoken line through ``PhoneEar`` (synthesis, 8 kHz
mu-law, recognition) and adds what it heard to each step's result, which bst
reports back. This reads that report. It is a measurement: the exit status is 0
whenever the suite could be played, however many calls fail
(``--require-passes N`` makes fewer than N passes exit 1, as CI does); 2 when
the audio parts are missing or bst reported nothing. The report is also written
as JSON, to var/e2e/audio-report.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from e2e.audio.caller import Heard
from e2e.audio.phone_line import PhoneLineError, check_voice
from e2e.audio.recognizer import ENGINES
from e2e.audio.report import CallOutcome, misheard, percent, summarize, table
from e2e.device.service import RESULTS_FILE, RUN_DIR, run_with_device
from settings import PROJECT_ROOT
from settings.tooling import AudioE2ESettings

E2E_DIR = PROJECT_ROOT / "e2e"
BST = E2E_DIR / "node_modules" / ".bin" / "bst"
REPORT = RUN_DIR / "audio-report.json"


def outcomes_from(report: Any) -> list[CallOutcome]:
    """One outcome per test in bst's published results, with the lines the device heard."""
    outcomes = []
    for test in report if isinstance(report, list) else []:
        about = test.get("_test") or {}
        steps = test.get("_interactionResults") or []
        failures = [
            str(step.get("_error") or step.get("_errors"))
            for step in steps
            if step.get("_error") is not None or step.get("_errors") is not None
        ]
        lines = [
            Heard(**line)
            for step in steps
            for line in ((step.get("_rawResponse") or {}).get("debug") or {}).get("heard", [])
        ]
        outcomes.append(
            CallOutcome(
                file=Path(str((about.get("_testSuite") or {}).get("_fileName", "?"))).name,
                name=str(about.get("_description", "?")),
                passed=bool(steps) and not failures,
                lines=lines,
                failure="\n".join(failures),
            )
        )
    return outcomes


def parse_args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    argv = list(sys.argv[1:] if argv is None else argv)
    bst_options = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m e2e.audio", description=__doc__.split("\n")[0])
    add = parser.add_argument
    defaults = AudioE2ESettings.from_env()
    help_ = "recognizer (E2E_AUDIO_ENGINE; 'none': text passed through, the baseline)"
    add("--engine", choices=[*ENGINES, "none"], default=defaults.engine, help=help_)
    help_ = "flite:NAME (kal16, slt, rms, awb, kal) or espeak-ng:NAME (E2E_AUDIO_VOICE)"
    add("--voice", default=defaults.voice, help=help_)
    add("--no-hints", action="store_true", help="recognize without the <Gather> hints")
    add("--verbose", "-v", action="store_true", help="print every failed call")
    help_ = "exit 1 when fewer than N calls pass (CI's floor; default: a measurement only)"
    add("--require-passes", type=int, default=0, metavar="N", help=help_)
    add("files", nargs="*", help="test file path patterns, as bst takes them")
    return parser.parse_args(argv), bst_options


def main(argv: Sequence[str] | None = None) -> int:
    args, bst_options = parse_args(argv)
    began = time.perf_counter()
    mode, device_options = "perfect recognition", []
    if args.engine != "none":
        try:
            check_voice(args.voice)
        except PhoneLineError as error:
            print(f"e2e-audio: {error}", file=sys.stderr)
            return 2
        device_options = ["--audio-engine", args.engine, "--voice", args.voice]
        device_options += ["--no-hints"] if args.no_hints else []
        mode = f"{args.engine}, voice {args.voice}" + (", no hints" if args.no_hints else "")
    print(f"e2e-audio: {mode}", flush=True)
    command = [str(BST), "test", *bst_options, *args.files]
    run_with_device(command, E2E_DIR, device_options)
    try:
        outcomes = outcomes_from(json.loads(RESULTS_FILE.read_text()))
    except (OSError, ValueError) as error:
        print(f"e2e-audio: bst reported no results ({error})", file=sys.stderr)
        return 2
    for outcome in outcomes:
        words = summarize([outcome])[1].tally
        print(
            f"{'PASS' if outcome.passed else 'FAIL'}  {outcome.file} :: {outcome.name}"
            f"  ({len(outcome.lines)} lines, WER {percent(words.rate)})"
        )
        if args.verbose and not outcome.passed:
            print(outcome.failure)
    _, total = summarize(outcomes)
    seconds = round(time.perf_counter() - began, 1)
    print()
    print(table(outcomes))
    if args.engine != "none" and (wrong := misheard(outcomes)):
        print("\nmisheard lines (said -> heard, confidence):")
        print(wrong)
    print(
        f"\n{mode}: {total.passed}/{total.calls} calls passed ({percent(total.pass_rate)}),"
        f" WER {percent(total.tally.rate)}; {seconds}s in all, starting the stack included"
    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {
                "engine": args.engine,
                "voice": None if args.engine == "none" else args.voice,
                "hints": args.engine != "none" and not args.no_hints,
                "passed": total.passed,
                "calls": total.calls,
                "wer": total.tally.rate,
                "total_seconds": seconds,
                "calls_played": [asdict(outcome) for outcome in outcomes],
            },
            indent=2,
        )
    )
    print(f"report: {REPORT}")
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
