"""``python -m bench`` (``make bench``): this project against a stock Rasa voice bot.

In one run it starts both stacks on free ports (:mod:`bench.stacks`), makes one
untimed call to each, parses the held-out NLU sentences with each model
(:mod:`bench.nlu`), then for each load level (1, 10 and 40 back-to-back
callers) runs the scripted calls of :mod:`bench.load` against one bot and then
the other, swapping the order every level so drift hits both. It prints a
table per level, the resident memory of every process, the training times and
the issue's targets as PASS/FAIL lines, and writes ``var/bench/report.json``
and ``var/bench/latency.png``. ``--profile`` adds py-spy flame graphs of the
project's Rasa process and action server during the 10-caller level.

The exit status is 1 when a turn failed or a reply was not the scripted one,
since the figures would then measure something else; a missed target is a
FAIL line, not an exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import baseline, nlu
from bench.load import SCRIPT, Level, run_level, warm_up
from bench.plot import plot_latency
from bench.profile import flame_graphs
from bench.report import format_rate, format_seconds, format_share, judge, print_table
from bench.stacks import Bot, both_stacks
from bench.usage import resident_mb
from settings import PROJECT_ROOT, StackSettings, VoiceSettings, load_environment

OUT = PROJECT_ROOT / "var" / "bench"
FULL_LEVELS, QUICK_LEVELS = (1, 10, 40), (1, 10)
FULL_SECONDS, QUICK_SECONDS = 30.0, 6.0
PROFILED_LEVEL = 10
HEADER = ["bot", "calls", "turns", "p50", "p95", "p99", "server p50", "server p95"]
HEADER += ["turns/s", "cores", "turns/core-s", "filler", "bad"]


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    cli = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    cli.add_argument(
        "--quick", action="store_true", help="1 and 10 callers, 6 s each (under 2 minutes)"
    )
    cli.add_argument(
        "--seconds", type=float, help="seconds per level and bot (default 30; --quick 6)"
    )
    cli.add_argument(
        "--stores",
        choices=("embedded", "postgres"),
        default="embedded",
        help="the project's tracker and lock stores (postgres: PostgreSQL and Redis)",
    )
    cli.add_argument(
        "--replicas",
        type=int,
        help="Rasa replicas of the project behind nginx (default RASA_REPLICAS; "
        "more than 1 needs --stores postgres)",
    )
    cli.add_argument("--profile", action="store_true", help="py-spy flame graphs at 10 callers")
    cli.add_argument(
        "--out", type=Path, default=OUT, help="folder for report.json, latency.png and flame graphs"
    )
    cli.add_argument(
        "--baseline-config",
        type=Path,
        default=baseline.CONFIG,
        help="the stock bot's model configuration (default: rasa init's, bench/baseline/); "
        "another one makes the run a check of the bench, not the issue's comparison",
    )
    cli.add_argument(
        "--train-from-scratch",
        action="store_true",
        help="also time training the project's model from nothing (minutes)",
    )
    args = cli.parse_args(argv)
    if not args.baseline_config.is_file():
        cli.error(f"--baseline-config {args.baseline_config}: no such file")
    args.levels = QUICK_LEVELS if args.quick else FULL_LEVELS
    if args.seconds is None:
        args.seconds = QUICK_SECONDS if args.quick else FULL_SECONDS
    if args.seconds <= 0:
        cli.error("--seconds must be more than 0")
    if args.replicas is None:
        args.replicas = StackSettings.from_env().rasa_replicas
    if args.replicas < 1:
        cli.error("--replicas must be at least 1")
    if args.replicas > 1 and args.stores != "postgres":
        cli.error("--replicas above 1 needs --stores postgres (replicas share their stores)")
    return args


def _training(from_scratch: bool, baseline_config: Path) -> dict[str, Any]:
    """Seconds to get each model (0 when cached), and optionally a training from nothing."""
    from scripts.train_model import BOT, cache_dir, ensure_model, fingerprint, train

    figures: dict[str, Any] = {}
    for name, config in (("project", None), ("baseline", baseline_config)):
        key = fingerprint(config=config)
        cached = (cache_dir() / f"{key}.tar.gz").exists()
        began = time.perf_counter()
        path = ensure_model(config=config, install=None)
        figures[name] = {
            "model": key,
            "path": str(path),
            "trained": not cached,
            "seconds": time.perf_counter() - began,
        }
    figures["project_from_scratch_seconds"] = None
    if from_scratch:
        print("training the project's model from scratch (timed, then thrown away) ...")
        with tempfile.TemporaryDirectory(prefix="helpdesk-bench-train-") as out:
            began = time.perf_counter()
            train(BOT / "config.yml", Path(out), "from-scratch")
            figures["project_from_scratch_seconds"] = time.perf_counter() - began
    return figures


def _level_rows(levels: dict[str, dict[str, Any]]) -> list[list[str]]:
    def ms(value: float | None) -> str:
        return format_seconds(value) if value is not None else "-"

    rows = []
    for name, f in levels.items():
        rows.append(
            [
                name,
                str(f["calls"]),
                str(f["turns"]),
                ms(f["p50_s"]),
                ms(f["p95_s"]),
                ms(f["p99_s"]),
                ms(f["server_p50_s"]),
                ms(f["server_p95_s"]),
                format_rate(f["turns_per_second"]),
                f"{f['cores_used']:.2f}",
                f"{f['turns_per_core_second']:.1f}",
                str(f["filler_turns"]),
                str(f["errors"] + f["unexpected"]),
            ]
        )
    return rows


def _ratios(project: dict[str, Any], stock: dict[str, Any]) -> dict[str, float | None]:
    def ratio(key: str) -> float | None:
        if project[key] is None or not stock[key]:
            return None
        return project[key] / stock[key]

    keys = ("p50_s", "p95_s", "p99_s", "turns_per_second", "turns_per_core_second")
    return {key: ratio(key) for key in keys}


def _print_level(callers: int, seconds: float, entry: dict[str, Any]) -> None:
    first = entry["order"][0]
    who = "1 caller" if callers == 1 else f"{callers} back-to-back callers"
    rows = _level_rows({name: entry[name] for name in ("project", "baseline")})
    r = entry["ratios"]

    def x(key: str) -> str:
        return f"{r[key]:.2f}x" if r[key] is not None else "-"

    latency = [x("p50_s"), x("p95_s"), x("p99_s")]
    rate, per_core = x("turns_per_second"), x("turns_per_core_second")
    rows.append(["project/baseline", "", "", *latency, "", "", rate, "", per_core, "", ""])
    print_table(
        f"{who}: {seconds:g} s per bot, {first} first",
        HEADER,
        rows,
    )


def _memory(bot: Bot, sampled: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per process: the largest resident size seen after a level, and the peak (VmHWM)."""
    memory = {}
    for service in bot.services:
        if service.process is None:
            continue
        now, peak = resident_mb(service.process.pid)
        memory[service.name] = {
            "rss_mb": max(now, sampled.get(service.name, 0.0)),
            "peak_rss_mb": peak,
        }
    return memory


def _sample(bot: Bot, sampled: dict[str, float]) -> None:
    for service in bot.services:
        if service.process is not None:
            now, _ = resident_mb(service.process.pid)
            sampled[service.name] = max(now, sampled.get(service.name, 0.0))


def _warm(bot: Bot) -> bool:
    turns = warm_up(bot)
    bad = [turn for turn in turns if turn.error or not turn.expected]
    for turn in bad[:3]:
        words = SCRIPT[turn.step].words or "(dial)"
        print(f"  {bot.name} warm-up: unexpected reply to {words!r} ({turn.error or 'wrong'})")
    return not bad and len(turns) == len(SCRIPT)


def _run(args: argparse.Namespace, training: dict[str, Any], out: Path) -> dict[str, Any]:
    load_environment()
    budget = VoiceSettings.from_env().turn_budget_seconds
    held_out = nlu.held_out()
    report: dict[str, Any] = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "cpus_usable": len(os.sched_getaffinity(0)),
            "load_average_at_start": os.getloadavg()[0],
            "python": platform.python_version(),
        },
        "options": {
            "quick": args.quick,
            "levels": list(args.levels),
            "seconds_per_level": args.seconds,
            "stores": args.stores,
            "replicas": args.replicas,
            "turn_budget_seconds": budget,
            "turns_per_call": len(SCRIPT),
            "profile": args.profile,
            "baseline_config": str(args.baseline_config),
            "stock_baseline": args.baseline_config.resolve() == baseline.CONFIG,
        },
        "training": training,
        "levels": [],
        "profiles": {},
    }
    sampled: dict[str, dict[str, float]] = {"project": {}, "baseline": {}}
    starting = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="helpdesk-bench-") as folder,
        both_stacks(
            Path(folder),
            Path(training["baseline"]["path"]),
            stores=args.stores,
            replicas=args.replicas,
            turn_budget=budget,
        ) as (project, stock),
    ):
        bots = {"project": project, "baseline": stock}
        report["start_seconds"] = time.perf_counter() - starting
        print(
            f"both stacks up in {report['start_seconds']:.0f} s; "
            f"the project's turn budget is {budget:g} s\n"
        )
        report["warm_up_ok"] = all([_warm(project), _warm(stock)])
        report["bots"] = {}
        for name, bot in bots.items():
            score = nlu.accuracy(bot.api_url, bot.api_token, held_out)
            report["bots"][name] = {
                "replicas": bot.replicas,
                "stores": bot.stores,
                "model": training[name]["model"],
                "nlu_correct": score.correct,
                "nlu_held_out": score.total,
                "nlu_accuracy": score.share,
            }
        print_table(
            f"NLU on {len(held_out)} held-out sentences (rasa_bot/tests, not trained on)",
            ["bot", "right", "accuracy"],
            [
                [name, f"{b['nlu_correct']}/{b['nlu_held_out']}", format_share(b["nlu_accuracy"])]
                for name, b in report["bots"].items()
            ],
        )
        for index, callers in enumerate(args.levels):
            order = ("project", "baseline") if index % 2 == 0 else ("baseline", "project")
            entry: dict[str, Any] = {"callers": callers, "order": list(order)}
            for name in order:
                bot = bots[name]
                profiling = args.profile and name == "project" and callers == PROFILED_LEVEL
                pids = {"rasa": bot.pid(bot.rasa[0].name), "actions": bot.pid("action-server")}
                with (
                    flame_graphs(pids, out) if profiling else contextlib.nullcontext({})
                ) as profiles:
                    level: Level = run_level(bot, callers, args.seconds)
                report["profiles"].update({k: str(v) for k, v in profiles.items()})
                entry[name] = level.figures()
                for turn in (level.errors + level.unexpected)[:3]:
                    words = SCRIPT[turn.step].words or "(dial)"
                    print(f"  {name}: {words!r} -> {turn.error or repr(turn.heard)}")
                _sample(bot, sampled[name])
            entry["ratios"] = _ratios(entry["project"], entry["baseline"])
            report["levels"].append(entry)
            _print_level(callers, args.seconds, entry)
        for name, bot in bots.items():
            report["bots"][name]["memory"] = _memory(bot, sampled[name])
    return report


def _print_memory(report: dict[str, Any]) -> None:
    rows = []
    for name, bot in report["bots"].items():
        for process, mem in bot["memory"].items():
            rows.append([name, process, f"{mem['rss_mb']:.0f} MB", f"{mem['peak_rss_mb']:.0f} MB"])
    print_table(
        "Resident memory (largest after a level, and peak)",
        ["bot", "process", "RSS", "peak"],
        rows,
    )


def _print_training(training: dict[str, Any]) -> None:
    rows = []
    for name in ("project", "baseline"):
        figures = training[name]
        how = "trained" if figures["trained"] else "cached"
        rows.append([name, figures["model"], how, f"{figures['seconds']:.2f} s"])
    scratch = training["project_from_scratch_seconds"]
    if scratch is not None:
        rows.append(["project", "from scratch", "trained", f"{scratch:.0f} s"])
    print_table("Training", ["bot", "model", "", "time"], rows)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    print(
        f"helpdesk-voice bench: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )
    began = time.perf_counter()
    training = _training(args.train_from_scratch, args.baseline_config)
    if args.baseline_config.resolve() != baseline.CONFIG:
        print(
            f"baseline configuration {args.baseline_config}: not rasa init's, so the ratios "
            "check the bench, they are not the issue's comparison"
        )
    out: Path = args.out
    report = _run(args, training, out)
    _print_memory(report)
    _print_training(training)
    checks = judge(report)
    report["targets"] = [
        {"target": c.target, "value": c.value, "shown": c.shown, "passed": c.passed} for c in checks
    ]
    print("Targets (issue 11)")
    for check in checks:
        print(f"  {check.verdict}  {check.target}: {check.shown}")
    bad = sum(
        level[bot]["errors"] + level[bot]["unexpected"]
        for level in report["levels"]
        for bot in report["bots"]
    )
    report["ok"] = report["warm_up_ok"] and bad == 0
    report["seconds"] = time.perf_counter() - began
    report["plot"] = str(plot_latency(report, out / "latency.png"))
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out / 'report.json'} and {report['plot']} in {report['seconds']:.0f} s")
    if report["profiles"]:
        print("flame graphs: " + ", ".join(report["profiles"].values()))
    if not report["ok"]:
        print(f"{bad} turns failed or had an unexpected reply: the figures measure something else")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
