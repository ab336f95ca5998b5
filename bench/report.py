"""Figures as text: percentiles of timings, durations with their unit, one plain table,
and the issue's targets judged against a report.

Pure functions only (the tests in ``tests/unit/test_bench_report.py`` cover them);
the benchmarks measure, this module formats and judges.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0 to 100), linear between the closest ranks.

    The same definition as numpy's default: the median of an even count is the
    mean of the middle two, ``q=0`` the smallest value and ``q=100`` the largest.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Summary:
    """Count, median, 95th and 99th percentiles and maximum of some timings."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        return cls(
            len(values),
            percentile(values, 50),
            percentile(values, 95),
            percentile(values, 99),
            max(values),
        )


def format_seconds(seconds: float) -> str:
    """A duration with a unit a reader takes in at a glance: ``23.1 µs``, ``412 ms``, ``1.84 s``."""
    if seconds < 0:
        return "-" + format_seconds(-seconds)
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 0.1:
        return f"{seconds * 1e3:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.2f} s"


def format_share(fraction: float) -> str:
    """``0.125`` -> ``12.5%``; whole percentages without a decimal (``0%``, ``50%``)."""
    percent = fraction * 100
    if percent == round(percent):
        return f"{percent:.0f}%"
    return f"{percent:.1f}%"


def format_rate(per_second: float) -> str:
    """Events per second, with thousands separators: ``12,345/s``, ``8.4/s``."""
    if per_second >= 100:
        return f"{per_second:,.0f}/s"
    return f"{per_second:.1f}/s"


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell: the first left-aligned, the others right.

    A rule of dashes separates the header from the rows; every row must have as
    many cells as the header.
    """
    cells = [[str(cell) for cell in header]] + [[str(cell) for cell in row] for row in rows]
    for number, row in enumerate(cells[1:], start=1):
        if len(row) != len(header):
            raise ValueError(f"row {number} has {len(row)} cells, the header {len(header)}")
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def print_table(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    file: TextIO | None = None,
) -> None:
    """``title``, then the table (:func:`format_table`), then a blank line."""
    out = file if file is not None else sys.stdout
    print(title, file=out)
    print(format_table(header, rows), file=out)
    print(file=out, flush=True)


# The targets of issue 11, judged here and only here (never in a timed test).
CAPACITY_RATIO_AT_10 = 3.0
P95_AT_10_SECONDS = 0.250
P50_AT_1_SECONDS = 0.040
RSS_LIMIT_MB = 1536.0
TRAINING_LIMIT_SECONDS = 180.0
CACHED_TRAINING_LIMIT_SECONDS = 1.0  # "0 s": nothing is trained


@dataclass(frozen=True)
class Check:
    """One target: what it asks, the measured value, and whether it holds
    (``passed`` None: this run did not measure it, e.g. ``--quick`` skips 40 callers)."""

    target: str
    value: float | None
    shown: str
    passed: bool | None

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a "}[self.passed]


def _level(report: Mapping[str, Any], callers: int) -> Mapping[str, Any] | None:
    return next((lv for lv in report["levels"] if lv["callers"] == callers), None)


def _at_most(target: str, value: float | None, limit: float, unit: str) -> Check:
    if value is None:
        return Check(target, None, "not measured", None)
    shown = format_seconds(value) if unit == "s" else f"{value:.0f} {unit}"
    return Check(target, value, shown, value <= limit)


def judge(report: Mapping[str, Any]) -> list[Check]:
    """The issue's targets against a report as :mod:`bench.__main__` writes it."""
    ten, one, forty = _level(report, 10), _level(report, 1), _level(report, 40)
    checks = []
    if ten is None or not ten["baseline"]["turns_per_second"]:
        checks.append(Check("turns/s at 10 callers >= 3x baseline", None, "not measured", None))
    else:
        ratio = ten["project"]["turns_per_second"] / ten["baseline"]["turns_per_second"]
        checks.append(
            Check(
                "turns/s at 10 callers >= 3x baseline",
                ratio,
                f"{ratio:.2f}x",
                ratio >= CAPACITY_RATIO_AT_10,
            )
        )
    checks.append(
        _at_most(
            "p95 at 10 callers <= 250 ms",
            ten["project"]["p95_s"] if ten else None,
            P95_AT_10_SECONDS,
            "s",
        )
    )
    checks.append(
        _at_most(
            "server p50 at 1 caller <= 40 ms",
            one["project"].get("server_p50_s") if one else None,
            P50_AT_1_SECONDS,
            "s",
        )
    )
    filler = forty["project"]["filler_turns"] if forty else None
    checks.append(_at_most("no turn reaches the filler at 40 callers", filler, 0, "turns"))
    memory = report["bots"]["project"]["memory"]
    peaks = [mb["peak_rss_mb"] for name, mb in memory.items() if name.split("-")[0] == "rasa"]
    checks.append(_at_most("peak RSS per Rasa replica <= 1.5 GB", max(peaks), RSS_LIMIT_MB, "MB"))
    training = report["training"]
    checks.append(
        _at_most(
            "training with nothing changed: 0 s",
            training["project"]["seconds"] if not training["project"]["trained"] else None,
            CACHED_TRAINING_LIMIT_SECONDS,
            "s",
        )
    )
    checks.append(
        _at_most(
            "training from scratch <= 3 min",
            training["project_from_scratch_seconds"],
            TRAINING_LIMIT_SECONDS,
            "s",
        )
    )
    return checks
