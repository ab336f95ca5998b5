"""``python -m bench [--calls N] [--base-url URL]``: print the benchmark figures.

Starts the local stack on free ports (or uses the one at ``--base-url``), makes
one untimed warm-up call, then:

1. ``--calls`` whole calls by one caller, every turn timed by kind;
2. the same number of calls by two callers at once, and the ratio of their
   median turn time to the single caller's;
3. Duckling ``/parse`` latency over HTTP (and in this process, for comparison);
4. spoken-email and priority parsing throughput in this process.

Everything runs over loopback, in bounded loops, and stops by itself; with
the defaults it takes about three minutes, most of it starting the stack.
The exit status is 1 when a turn failed or a reply was not the expected one,
since the figures would then measure something else.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import sys
from collections.abc import Iterator, Sequence

from bench import nlu
from bench.local_stack import Target, local_stack, running_stack
from bench.report import (
    Summary,
    format_rate,
    format_seconds,
    format_share,
    percentile,
    print_table,
    share_over,
)
from bench.turns import KINDS, TWILIO_LIMIT_SECONDS, ScenarioResult, run_scenario, warm_up

CONCURRENT_CALLERS = 2


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    cli = argparse.ArgumentParser(
        prog="python -m bench",
        description="Turn times of whole calls, Duckling latency and parser throughput.",
    )
    cli.add_argument(
        "--calls", type=int, default=50, help="calls in each scenario (default 50, 8 turns each)"
    )
    cli.add_argument(
        "--base-url",
        help="a running stack's Rasa URL, e.g. http://127.0.0.1:5005 (default: start one); "
        "its calls open tickets, so only a stack on the ServiceNow emulator",
    )
    cli.add_argument(
        "--duckling-url", help="with --base-url: its Duckling server (default: DUCKLING_PORT)"
    )
    cli.add_argument(
        "--turn-budget",
        type=float,
        help="seconds (default VOICE_TURN_BUDGET_SECONDS); with --base-url, the server's",
    )
    cli.add_argument(
        "--parses", type=int, default=300, help="Duckling /parse requests (default 300)"
    )
    args = cli.parse_args(argv)
    if args.calls < 1 or args.parses < 1:
        cli.error("--calls and --parses must be at least 1")
    if args.duckling_url and not args.base_url:
        cli.error("--duckling-url goes with --base-url")
    return args


@contextlib.contextmanager
def _target(args: argparse.Namespace) -> Iterator[Target]:
    if args.base_url:
        yield running_stack(args.base_url, args.duckling_url, args.turn_budget)
    else:
        with local_stack(args.turn_budget) as target:
            yield target


def _scenario_rows(result: ScenarioResult, budget: float) -> list[list[str]]:
    rows: list[list[str]] = []
    for kind in (*KINDS, None):
        seconds = result.seconds(kind)
        if not seconds:
            continue
        longest = [
            turn.longest_request
            for turn in result.turns
            if turn.error is None and (kind is None or turn.kind == kind)
        ]
        summary = Summary.of(seconds)
        rows.append(
            [
                kind or "all turns",
                str(summary.count),
                format_seconds(summary.median),
                format_seconds(summary.p95),
                format_seconds(summary.max),
                format_share(share_over(seconds, budget)),
                format_share(share_over(longest, TWILIO_LIMIT_SECONDS)),
            ]
        )
    return rows


def _print_scenario(result: ScenarioResult, budget: float) -> None:
    per_minute = result.calls / result.wall_seconds * 60
    who = "1 caller" if result.callers == 1 else f"{result.callers} concurrent callers"
    print_table(
        f"Turns, {who}: {result.calls} calls in {result.wall_seconds:.1f} s "
        f"({per_minute:.0f} calls/min)",
        [
            "turn kind",
            "turns",
            "median",
            "p95",
            "max",
            f"> budget {budget:g} s",
            f"> Twilio {TWILIO_LIMIT_SECONDS:g} s",
        ],
        _scenario_rows(result, budget),
    )


def _check(result: ScenarioResult) -> bool:
    """Says which turns failed or heard something unexpected; True when none did."""
    for turn in result.failures[:3]:
        print(f"  failed {turn.kind} turn: {turn.error}")
    bad = len(result.failures) + len(result.unexpected)
    if bad:
        kinds = sorted({turn.kind for turn in result.failures + result.unexpected})
        print(f"  {bad} of {len(result.turns)} turns failed or unexpected ({', '.join(kinds)})")
    return bad == 0


def _print_ratio(single: ScenarioResult, concurrent: ScenarioResult) -> None:
    rows = []
    for kind in (*KINDS, None):
        one, many = single.seconds(kind), concurrent.seconds(kind)
        if not one or not many:
            continue
        alone, together = percentile(one, 50), percentile(many, 50)
        rows.append(
            [
                kind or "all turns",
                format_seconds(alone),
                format_seconds(together),
                f"{together / alone:.2f}",
            ]
        )
    print_table(
        f"Median turn time, {concurrent.callers} concurrent callers / 1 caller",
        ["turn kind", "1 caller", f"{concurrent.callers} callers", "ratio"],
        rows,
    )


def _latency_row(where: str, latencies: list[float], wall: float) -> list[str]:
    summary = Summary.of(latencies)
    return [
        where,
        str(summary.count),
        format_seconds(summary.median),
        format_seconds(summary.p95),
        format_seconds(summary.max),
        format_rate(summary.count / wall),
    ]


def _print_nlu(target: Target, parses: int) -> None:
    over_http = nlu.duckling_over_http(target.duckling_url, parses)
    in_process = nlu.duckling_in_process(parses)
    print_table(
        f"Duckling /parse as Rasa sends it (dims {', '.join(nlu.DUCKLING_DIMS)}), sequential",
        ["where", "parses", "median", "p95", "max", "throughput"],
        [
            _latency_row("HTTP, Duckling server", *over_http),
            _latency_row("in process, same parser", *in_process),
        ],
    )
    rows = []
    for name, result in (
        ("spoken email", nlu.spoken_email_throughput()),
        ("priority", nlu.priority_throughput()),
    ):
        rows.append(
            [
                name,
                f"{result.correct}/{result.answers}",
                str(result.calls),
                format_seconds(result.per_call),
                format_rate(result.per_second),
            ]
        )
    print_table(
        "Answer parsers in process (median of 5 passes)",
        ["parser", "right", "calls", "per call", "throughput"],
        rows,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    print(
        f"helpdesk-voice benchmark: Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.system()}, "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )
    with _target(args) as target:
        budget = target.turn_budget_seconds
        where = args.base_url or "local stack"
        print(
            f"{where}; turn budget {budget:g} s; Twilio gives up after {TWILIO_LIMIT_SECONDS:g} s"
        )
        warm_up(target)
        print("warm-up: 1 call, not counted\n")

        single = run_scenario(target, args.calls, callers=1)
        _print_scenario(single, budget)
        ok = _check(single)

        per_caller = math.ceil(args.calls / CONCURRENT_CALLERS)
        concurrent = run_scenario(target, per_caller, callers=CONCURRENT_CALLERS)
        _print_scenario(concurrent, budget)
        ok = _check(concurrent) and ok
        _print_ratio(single, concurrent)

        _print_nlu(target, args.parses)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
