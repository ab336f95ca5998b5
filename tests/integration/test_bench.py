"""``python -m bench --quick`` runs both stacks and writes a report with every figure.

The session starts it with its own stacks (tests/stacks.py), with 2 s per level
and bot, and it runs in the background while the other tests do.

No timing is asserted here: the targets are judged by the bench itself and
printed as PASS/FAIL lines. This checks that the run completes, that every
scripted turn got its expected reply, and that the report's fields are there
with sane types and orders (p50 <= p95 <= p99, shares between 0 and 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.stacks import QuickBench

pytestmark = [pytest.mark.integration]

BOTS = ("project", "baseline")
LEVEL_FIELDS = {
    "calls": int,
    "turns": int,
    "turns_in_time": int,
    "errors": int,
    "unexpected": int,
    "filler_turns": int,
    "p50_s": float,
    "p95_s": float,
    "p99_s": float,
    "max_s": float,
    "turns_per_second": float,
    "wall_s": float,
    "cpu_seconds": float,
    "cores_used": float,
    "turns_per_core_second": float,
}

QuickRun = tuple[int, str, Path]


@pytest.fixture
def quick_run(quick_bench: QuickBench) -> QuickRun:
    """How the session's quick bench ended (it started with the session: tests/stacks.py)."""
    status, printed = quick_bench.result()
    return status, printed, quick_bench.out


def test_the_quick_bench_exits_cleanly_and_prints_the_targets(quick_run: QuickRun) -> None:
    status, printed, _ = quick_run
    assert status == 0, printed[-6000:]
    assert "Targets (issue 11)" in printed
    assert "project/baseline" in printed


def test_every_level_has_both_bots_with_sane_figures(quick_run: QuickRun) -> None:
    _, _, out = quick_run
    report = json.loads((out / "report.json").read_text())
    assert [level["callers"] for level in report["levels"]] == [1, 10]
    for level in report["levels"]:
        assert sorted(level["order"]) == sorted(BOTS)
        for bot in BOTS:
            figures = level[bot]
            for name, kind in LEVEL_FIELDS.items():
                assert isinstance(figures[name], kind), (bot, name, figures[name])
            assert figures["turns"] > 0 and figures["errors"] == 0
            assert 0 < figures["p50_s"] <= figures["p95_s"] <= figures["p99_s"] <= figures["max_s"]
            assert figures["turns_per_second"] > 0 and figures["cores_used"] > 0
        assert set(level["ratios"]) >= {"p95_s", "turns_per_second", "turns_per_core_second"}


def test_the_report_has_memory_nlu_training_and_targets(quick_run: QuickRun) -> None:
    _, _, out = quick_run
    report = json.loads((out / "report.json").read_text())
    for bot in BOTS:
        figures = report["bots"][bot]
        assert figures["nlu_held_out"] > 0
        assert 0.0 <= figures["nlu_accuracy"] <= 1.0
        assert figures["replicas"] == 1
        assert figures["memory"]["rasa"]["peak_rss_mb"] >= figures["memory"]["rasa"]["rss_mb"] > 0
        assert figures["memory"]["action-server"]["rss_mb"] > 0
        assert isinstance(report["training"][bot]["seconds"], float)
    assert report["training"]["project_from_scratch_seconds"] is None
    assert report["options"]["stock_baseline"] is False
    targets = {target["target"]: target["passed"] for target in report["targets"]}
    assert len(targets) == 7
    assert all(passed in (True, False, None) for passed in targets.values())
    assert targets["no turn reaches the filler at 40 callers"] is None  # --quick skips 40
    assert (out / "latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
