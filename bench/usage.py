"""CPU time and resident memory of a stack's processes, read from ``/proc``.

psutil is not in the venv (and requirements stay as they are), and Linux's
``/proc`` has what the benchmark needs: ``utime + stime`` of each process and
its descendants (a server that forks workers counts whole), and ``VmRSS`` /
``VmHWM`` (resident now, and its peak) of each.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and every live descendant (through ``/proc/<pid>/task/*/children``)."""
    found: list[int] = []
    waiting = [pid]
    while waiting:
        current = waiting.pop()
        if not (PROC / str(current)).exists():
            continue
        found.append(current)
        for children in (PROC / str(current) / "task").glob("*/children"):
            try:
                waiting.extend(int(child) for child in children.read_text().split())
            except OSError:
                continue  # the thread ended meanwhile
    return found


def cpu_seconds(pids: Iterable[int]) -> float:
    """User plus system CPU seconds used so far by these processes and their descendants."""
    total = 0
    for root in pids:
        for pid in process_tree(root):
            try:
                stat = (PROC / str(pid) / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS_PER_SECOND


def resident_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) in MB of ``pid`` and its descendants."""
    now = peak = 0
    for member in process_tree(pid):
        try:
            status = (PROC / str(member) / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            key, _, value = line.partition(":")
            if key == "VmRSS":
                now += int(value.split()[0])
            elif key == "VmHWM":
                peak += int(value.split()[0])
    return now / 1024, peak / 1024
