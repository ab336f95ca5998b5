"""``python -m bench`` (``make bench``): see :mod:`bench` and the README's performance section.

Each level runs against one bot and then the other, swapping the order every
level so drift hits both. The exit status is 1 when a turn failed or a reply was
not the scripted one, since the figures would then measure something else; a
missed target is a FAIL line, not an exit status.
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

from bench import baseline, nlu, report
from bench.load import SCRIPT, Turn, run_call, run_level
from bench.plot import plot_latency
from bench.stacks import Bot, both_stacks
from bench.usage import flame_graphs, resident_mb
from settings import PROJECT_ROOT, StackSettings, VoiceSettings, load_environment

PROFILED_LEVEL = 10


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    cli = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    add = cli.add_argument
    add("--quick", action="store_true", help="1 and 10 callers, 6 s each (under 2 minutes)")
    add("--seconds", type=float, help="seconds per level and bot (default 30; --quick 6)")
    help_ = "the project's tracker and lock stores (postgres: PostgreSQL and Redis)"
    add("--stores", choices=("embedded", "postgres"), default="embedded", help=help_)
    replicas = StackSettings.from_env().rasa_replicas
    help_ = f"Rasa replicas of the project behind nginx (default RASA_REPLICAS, {replicas}; "
    help_ += "more than 1 needs --stores postgres)"
    add("--replicas", type=int, default=replicas, help=help_)
    add("--profile", action="store_true", help="py-spy flame graphs at 10 callers")
    help_ = "folder for report.json, latency.png and flame graphs (default var/bench)"
    add("--out", type=Path, default=PROJECT_ROOT / "var" / "bench", help=help_)
    help_ = "the stock bot's model configuration (default: rasa init's, bench/baseline/); "
    help_ += "another one makes the run a check of the bench, not the issue's comparison"
    add("--baseline-config", type=Path, default=baseline.CONFIG, help=help_)
    help_ = "also time training the project's model from nothing (minutes)"
    add("--train-from-scratch", action="store_true", help=help_)
    args = cli.parse_args(argv)
    args.levels = (1, 10) if args.quick else (1, 10, 40)
    if args.seconds is None:
        args.seconds = 6.0 if args.quick else 30.0
    if not args.baseline_config.is_file():
        cli.error(f"--baseline-config {args.baseline_config}: no such file")
    if args.seconds <= 0:
        cli.error("--seconds must be more than 0")
    if args.replicas < 1:
        cli.error("--replicas must be at least 1")
    if args.replicas > 1 and args.stores != "postgres":
        cli.error("--replicas above 1 needs --stores postgres (replicas share their stores)")
    return args


def _training(from_scratch: bool, baseline_config: Path) -> dict[str, Any]:
    """Seconds to get each model (0 when cached), and optionally a training from nothing."""
    from scripts.train_model import BOT, cached_model, train

    figures: dict[str, Any] = {}
    for name, config in (("project", None), ("baseline", baseline_config)):
        began = time.perf_counter()
        path, trained = cached_model(config)
        seconds = time.perf_counter() - began
        key = path.name.removesuffix(".tar.gz")
        figures[name] = {"model": key, "path": str(path), "trained": trained, "seconds": seconds}
    figures["project_from_scratch_seconds"] = None
    if from_scratch:
        print("training the project's model from scratch (timed, then thrown away) ...")
        with tempfile.TemporaryDirectory(prefix="helpdesk-bench-train-") as out:
            began = time.perf_counter()
            train(BOT / "config.yml", Path(out), "from-scratch")
            figures["project_from_scratch_seconds"] = time.perf_counter() - began
    return figures


def _memory(bot: Bot, memory: dict[str, dict[str, float]]) -> None:
    """Per process: the largest resident size seen after a level, and the peak (VmHWM)."""
    for name, pid in bot.pids().items():
        now, peak = resident_mb(pid)
        seen = memory.get(name, {}).get("rss_mb", 0.0)
        memory[name] = {"rss_mb": max(now, seen), "peak_rss_mb": peak}


def _print_bad(who: str, turns: list[Turn]) -> None:
    for turn in turns[:3]:
        print(f"  {who}: {turn.words or '(dial)'!r} -> {turn.error or repr(turn.heard)}")


def _run(args: argparse.Namespace, figures: dict[str, Any]) -> None:
    """Starts both stacks and measures them into ``figures`` (the report)."""
    budget, held_out = figures["options"]["turn_budget_seconds"], nlu.held_out()
    starting = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="helpdesk-bench-") as folder,
        both_stacks(
            Path(folder),
            Path(figures["training"]["baseline"]["path"]),
            stores=args.stores,
            replicas=args.replicas,
            turn_budget=budget,
        ) as (project, stock),
    ):
        bots = {"project": project, "baseline": stock}
        figures["start_seconds"] = time.perf_counter() - starting
        print(
            f"both stacks up in {figures['start_seconds']:.0f} s; "
            f"the project's turn budget is {budget:g} s\n"
        )
        figures.update(warm_up_ok=True, bots={})
        for name, bot in bots.items():
            turns = run_call(bot, time.perf_counter() + 3600)  # a fresh Rasa loads lazily
            bad = [turn for turn in turns if turn.error or not turn.expected]
            _print_bad(f"{name} warm-up", bad)
            figures["warm_up_ok"] &= not bad and len(turns) == len(SCRIPT)
            right = nlu.correct(bot.rasa[0], held_out)
            figures["bots"][name] = {
                "replicas": len(bot.rasa),
                "stores": bot.stores,
                "model": figures["training"][name]["model"],
                "nlu_correct": right,
                "nlu_held_out": len(held_out),
                "nlu_accuracy": right / len(held_out) if held_out else 0.0,
                "memory": {},
            }
        report.print_nlu(figures["bots"])
        for index, callers in enumerate(args.levels):
            order = ("project", "baseline") if index % 2 == 0 else ("baseline", "project")
            entry: dict[str, Any] = {"callers": callers, "order": list(order)}
            for name in order:
                bot, pids = bots[name], bots[name].pids()
                profiled = {"rasa": pids[bot.rasa[0].name], "actions": pids["action-server"]}
                profiling = args.profile and name == "project" and callers == PROFILED_LEVEL
                with (
                    flame_graphs(profiled, args.out) if profiling else contextlib.nullcontext({})
                ) as profiles:
                    entry[name], bad = run_level(bot, callers, args.seconds)
                figures["profiles"].update({k: str(v) for k, v in profiles.items()})
                _print_bad(name, bad)
                _memory(bot, figures["bots"][name]["memory"])
            entry["ratios"] = report.ratios(entry["project"], entry["baseline"])
            figures["levels"].append(entry)
            report.print_level(entry, args.seconds)
        for name, bot in bots.items():
            _memory(bot, figures["bots"][name]["memory"])


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    machine = {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "load_average_at_start": os.getloadavg()[0],
        "python": platform.python_version(),
    }
    print(
        f"helpdesk-voice bench: Python {machine['python']}, {machine['cpus']} CPUs, "
        f"load average {machine['load_average_at_start']:.2f} at start"
    )
    began = time.perf_counter()
    stock = args.baseline_config.resolve() == baseline.CONFIG
    training = _training(args.train_from_scratch, args.baseline_config)
    load_environment()
    figures: dict[str, Any] = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "machine": machine,
        "options": {
            "quick": args.quick,
            "levels": list(args.levels),
            "seconds_per_level": args.seconds,
            "stores": args.stores,
            "replicas": args.replicas,
            "turn_budget_seconds": VoiceSettings.from_env().turn_budget_seconds,
            "turns_per_call": len(SCRIPT),
            "profile": args.profile,
            "baseline_config": str(args.baseline_config),
            "stock_baseline": stock,
        },
        "training": training,
        "levels": [],
        "profiles": {},
    }
    if not stock:
        print(
            f"baseline configuration {args.baseline_config}: not rasa init's, so the ratios "
            "check the bench, they are not the issue's comparison"
        )
    _run(args, figures)
    report.print_usage(figures)
    figures["targets"] = report.judge(figures)
    report.print_targets(figures["targets"])
    bad = sum(
        level[bot]["errors"] + level[bot]["unexpected"]
        for level in figures["levels"]
        for bot in ("project", "baseline")
    )
    figures["ok"] = figures["warm_up_ok"] and bad == 0
    figures["seconds"] = time.perf_counter() - began
    figures["plot"] = str(plot_latency(figures, args.out / "latency.png"))
    (args.out / "report.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nwrote {args.out / 'report.json'} and {figures['plot']} in {figures['seconds']:.0f} s")
    if figures["profiles"]:
        print("flame graphs: " + ", ".join(figures["profiles"].values()))
    if not figures["ok"]:
        print(f"{bad} turns failed or had an unexpected reply: the figures measure something else")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
