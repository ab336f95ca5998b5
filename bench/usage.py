"""What a stack's processes use: CPU time and resident memory from ``/proc``, and
py-spy flame graphs (``--profile``).

psutil is not in the venv (and requirements stay as they are), and Linux's
``/proc`` has what the benchmark needs: ``utime + stime`` of each process and
its descendants (a server that forks workers counts whole), and ``VmRSS`` /
``VmHWM`` (resident now, and its peak) of each.

py-spy attaches to a running pid (ptrace is allowed here), samples it without
pausing it (``--nonblocking``, so the profiled level's figures move little) and
writes an SVG flame graph when told to stop (SIGINT, as Ctrl-C would).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
PY_SPY = Path(sys.executable).parent / "py-spy"
STOP_TIMEOUT_SECONDS = 60.0


def _read_tree(pid: int, name: str) -> Iterator[str]:
    """``/proc/<p>/<name>`` of ``pid`` and every live descendant (``task/*/children``)."""
    waiting = [pid]
    while waiting:
        folder = PROC / str(waiting.pop())
        try:
            yield (folder / name).read_text()
        except OSError:
            continue  # the process ended meanwhile
        for children in folder.glob("task/*/children"):
            with contextlib.suppress(OSError):  # the thread ended meanwhile
                waiting.extend(int(child) for child in children.read_text().split())


def cpu_seconds(pids: Iterable[int]) -> float:
    """User plus system CPU seconds used so far by these processes and their descendants."""
    ticks = 0
    for stat in (stat for pid in pids for stat in _read_tree(pid, "stat")):
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / TICKS_PER_SECOND


def resident_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) in MB of ``pid`` and its descendants."""
    kb = {"VmRSS": 0, "VmHWM": 0}
    for status in _read_tree(pid, "status"):
        for line in status.splitlines():
            key, _, value = line.partition(":")
            if key in kb:
                kb[key] += int(value.split()[0])
    return kb["VmRSS"] / 1024, kb["VmHWM"] / 1024


@contextmanager
def flame_graphs(pids: Mapping[str, int], folder: Path) -> Iterator[dict[str, Path]]:
    """Samples each named pid while the block runs; yields ``{name: svg path}``,
    and the SVGs are written when the block ends."""
    if not PY_SPY.exists():
        raise SystemExit(f"error: --profile needs py-spy in the venv ({PY_SPY} is missing)")
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.svg" for name in pids}
    options = ["--format", "flamegraph", "--rate", "100", "--nonblocking"]
    recorders = {
        name: subprocess.Popen(  # noqa: S603 - our own command line
            [str(PY_SPY), "record", "--pid", str(pid), "--output", str(paths[name]), *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, pid in pids.items()
    }
    try:
        yield paths
    finally:
        for name, recorder in recorders.items():
            recorder.send_signal(signal.SIGINT)  # a no-op if it already exited
            try:
                _, errors = recorder.communicate(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                recorder.kill()
                errors = "did not stop"
            if recorder.returncode != 0 or not paths[name].exists():
                print(f"py-spy could not profile {name}: {errors.strip()[-300:]}")
                paths.pop(name)
