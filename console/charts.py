"""The home page's pictures as plain server-side SVG: no library, no CDN, works offline.

``figures`` turns stored calls into numbers; ``columns`` and ``bars`` draw them.
Every label is escaped, since fallback phrases are what callers said.
"""

from __future__ import annotations

import statistics
import time
from html import escape
from typing import Any, Iterable

from console.calls import OUTCOMES

WIDTH = 460
COLOURS = {"ticket": "#2f7d4f", "transfer": "#2b5d9b", "hung up": "#8a8a8a", "silence": "#c27c0e"}


def turn_times(turns: list[dict[str, Any]]) -> list[float]:
    """Seconds from each caller turn to the assistant's first answer."""
    times: list[float] = []
    waiting: float | None = None
    for turn in turns:
        if turn["speaker"] == "caller":
            waiting = turn["at"]
        elif waiting is not None:
            times.append(max(0.0, turn["at"] - waiting))
            waiting = None
    return times


def figures(calls: Iterable[dict[str, Any]], now: float | None = None) -> dict[str, Any]:
    """Calls per hour (last 24 h), outcome mix and median turn time per hour."""
    now = now or time.time()
    hours = [0] * 24
    outcomes = dict.fromkeys(OUTCOMES, 0)
    turn_seconds: list[list[float]] = [[] for _ in range(24)]
    for call in calls:
        age = int((now - call["started"]) // 3600)
        if not 0 <= age < 24:
            continue
        slot = 23 - age
        hours[slot] += 1
        outcomes[call["outcome"]] = outcomes.get(call["outcome"], 0) + 1
        turn_seconds[slot] += turn_times(call["detail"].get("turns", []))
    medians = [statistics.median(s) * 1000 if s else 0.0 for s in turn_seconds]
    return {"hours": hours, "outcomes": outcomes, "median_turn_ms": medians}


def _frame(title: str, height: int, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" class="chart"><title>{escape(title)}</title>'
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>{body}</svg>'
    )


def columns(title: str, values: list[float], unit: str = "") -> str:
    """Vertical bars, oldest hour on the left, the current hour on the right."""
    height, top, bottom = 170, 28, 150
    highest = max(values, default=0)
    peak = highest if highest > 0 else 1
    step = WIDTH / max(len(values), 1)
    parts = []
    for index, value in enumerate(values):
        bar = (bottom - top) * value / peak
        x = index * step + 1
        label = f"{value:.0f}{unit}"
        parts.append(
            f'<rect x="{x:.1f}" y="{bottom - bar:.1f}" width="{step - 2:.1f}" height="{bar:.1f}"'
            f' fill="#2b5d9b"><title>{escape(label)}</title></rect>'
        )
    parts.append(f'<text x="0" y="{height - 4}" class="chart-axis">24 h ago</text>')
    parts.append(
        f'<text x="{WIDTH}" y="{height - 4}" text-anchor="end" class="chart-axis">now</text>'
    )
    parts.append(
        f'<text x="{WIDTH}" y="16" text-anchor="end" class="chart-axis">'
        f"max {highest:.0f}{escape(unit)}</text>"
    )
    return _frame(title, height, "".join(parts))


def bars(title: str, items: list[tuple[str, float]], colours: dict[str, str] | None = None) -> str:
    """Horizontal bars with their label and value, in the order given."""
    row, top = 22, 28
    height = top + row * max(len(items), 1) + 4
    peak = max((v for _, v in items), default=0) or 1
    parts = []
    if not items:
        parts.append(f'<text x="0" y="{top + 14}" class="chart-axis">nothing yet</text>')
    for index, (label, value) in enumerate(items):
        y = top + index * row
        width = (WIDTH - 220) * value / peak
        fill = (colours or {}).get(label, "#2b5d9b")
        shown = label if len(label) <= 30 else label[:29] + "…"
        parts.append(f'<text x="0" y="{y + 14}" class="chart-label">{escape(shown)}</text>')
        parts.append(
            f'<rect x="190" y="{y + 3}" width="{width:.1f}" height="{row - 8}" fill="{fill}"/>'
            f'<text x="{194 + width:.1f}" y="{y + 14}" class="chart-label">{value:g}</text>'
        )
    return _frame(title, height, "".join(parts))


def home_charts(calls: list[dict[str, Any]], phrases: list[tuple[str, int]]) -> list[str]:
    numbers = figures(calls)
    return [
        columns("Calls per hour", numbers["hours"]),
        bars("Outcomes, last 24 h", list(numbers["outcomes"].items()), COLOURS),
        columns("Median turn time per hour", numbers["median_turn_ms"], " ms"),
        bars("Most frequent fallback phrases", [(p, float(n)) for p, n in phrases]),
    ]
