"""Figures as text: percentiles of timings, durations with their unit, one plain table.

Pure functions only (the tests in ``tests/unit/test_bench_report.py`` cover them);
the benchmarks measure, this module formats.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO


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


def share_over(values: Sequence[float], limit: float) -> float:
    """The fraction (0 to 1) of ``values`` strictly greater than ``limit``."""
    if not values:
        return 0.0
    return sum(1 for value in values if value > limit) / len(values)


@dataclass(frozen=True)
class Summary:
    """Count, median, 95th percentile and maximum of some timings."""

    count: int
    median: float
    p95: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        return cls(len(values), percentile(values, 50), percentile(values, 95), max(values))


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
