"""Flame graphs of running servers with py-spy (``--profile``).

py-spy attaches to a running pid (ptrace is allowed here), samples it without
pausing it (``--nonblocking``, so the profiled level's figures move little) and
writes an SVG flame graph when told to stop (SIGINT, as Ctrl-C would).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PY_SPY = Path(sys.executable).parent / "py-spy"
STOP_TIMEOUT_SECONDS = 60.0


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
            if recorder.poll() is None:
                recorder.send_signal(signal.SIGINT)
            try:
                _, errors = recorder.communicate(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                recorder.kill()
                errors = "did not stop"
            if recorder.returncode != 0 or not paths[name].exists():
                print(f"py-spy could not profile {name}: {errors.strip()[-300:]}")
                paths.pop(name)
