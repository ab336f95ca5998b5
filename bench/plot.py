"""``var/bench/latency.png``: p95 turn time against concurrency, both bots."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def plot_latency(report: Mapping[str, Any], path: Path) -> Path:
    """Draws p95 (log scale) per number of callers for the project and the baseline."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display here or in CI
    import matplotlib.pyplot as plt

    callers = [level["callers"] for level in report["levels"]]
    figure, axes = plt.subplots(figsize=(6, 4), dpi=120)
    for bot, style in (("project", "o-"), ("baseline", "s--")):
        p95 = [level[bot]["p95_s"] * 1000 for level in report["levels"]]
        axes.plot(callers, p95, style, label=bot)
    axes.axhline(250, color="grey", linewidth=0.8, linestyle=":", label="target at 10: 250 ms")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(callers, [str(n) for n in callers])
    axes.set_xlabel("back-to-back callers")
    axes.set_ylabel("p95 turn time (ms)")
    axes.set_title("Turn time at the 95th percentile")
    axes.legend()
    axes.grid(True, which="both", linewidth=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
