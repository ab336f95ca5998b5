"""The two stacks a test session shares, started once, as soon as the session needs them.

* ``embedded``: what ``make up`` runs (SQLite, locks in memory), one Rasa process.
  Calls, hand-offs, caller identity, random callers, the chaos scenarios, the
  Bespoken files through ``bst`` and the console in a browser all run on it.
* ``postgres``: the production path, two Rasa replicas behind nginx on a
  PostgreSQL database and a Redis server of the session's own (so a test can take
  either away). Tests whose outcome depends on where state lives run on it too.

Right after collection, before the first test, every stack the selected tests use
is spawned, so Rasa loads its model while the unit tier runs; the first test on a
stack waits for its health checks. The bench's check (``python -m bench --quick``,
which starts two stacks of its own) starts then too, and runs in the background.
Everything stops when the session ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.passwords import hash_password
from settings import PROJECT_ROOT
from stack.isolated import AGENTS, IsolatedStack, start_isolated
from stack.processes import free_port, terminate_group

KINDS = ("embedded", "postgres")
AUTH_TOKEN = "integration-test-token"
RASA_API_TOKEN = "integration-test-rasa-api-token"
OPERATOR, OPERATOR_PASSWORD, OPERATOR_PHONE = "ada", "browser-test-password", AGENTS[0]
TURN_BUDGET_SECONDS = 1.5
SNOW_TIMEOUT_SECONDS = 3.0
SETTLE_SECONDS = 8.0
START_TIMEOUT_SECONDS = 300.0
OVERRIDES = {
    "SNOW_TIMEOUT_SECONDS": str(SNOW_TIMEOUT_SECONDS),
    "TICKET_SETTLE_SECONDS": str(SETTLE_SECONDS),
    # Short, so a slow ServiceNow answer exercises the filler and redirect.
    "VOICE_TURN_BUDGET_SECONDS": str(TURN_BUDGET_SECONDS),
    # Rasa's API token, for the console's and the tests' take-overs and model swaps.
    "RASA_API_TOKEN": RASA_API_TOKEN,
}


def production_stores_missing() -> str | None:
    """Why the production path cannot run on this machine, or None (CI has it)."""
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 5432)) != 0:
            return "no PostgreSQL on 127.0.0.1:5432"
    if not shutil.which("redis-server") and not Path("/usr/bin/redis-server").exists():
        return "no redis-server binary"
    return None


class RedisServer:
    """A redis-server of the session's own, so a test can take it away."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir",
             str(self.workdir), "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return self

    def wait_ready(self, timeout: float = 10.0) -> None:
        import redis

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()


class QuickBench:
    """``python -m bench --quick`` (which starts its own two stacks), run in the background
    from the start of the session; its test reads how it ended."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.log = out / "bench.log"
        # The project's own configuration stands in for rasa init's (DIET and TED for
        # 100 epochs each, minutes of training): this checks the bench, not the figures.
        command = [
            sys.executable, "-m", "bench", "--quick", "--seconds", "2", "--out", str(out),
            "--baseline-config", str(PROJECT_ROOT / "rasa_bot" / "config.yml"),
        ]  # fmt: skip
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def result(self, timeout: float = 1200) -> tuple[int, str]:
        """The bench's exit status and what it printed."""
        status = self.process.wait(timeout)
        return status, self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Interrupts a bench still running (so it stops its own stacks), then ends it."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            terminate_group(self.process.pid)


class SessionStacks:
    """The session's stacks: spawned by ``start``, healthy from ``get``, gone after ``stop``."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self.stacks: dict[str, IsolatedStack] = {}
        self.healthy: set[str] = set()
        self.redis: RedisServer | None = None
        self.missing: dict[str, str] = {}
        self.bench: QuickBench | None = None

    def start_bench(self) -> QuickBench:
        if self.bench is None:
            self.bench = QuickBench(self.factory.mktemp("bench"))
        return self.bench

    def start(self, kind: str) -> None:
        if kind in self.stacks or kind in self.missing:
            return
        # The console's operator: the browser test signs in as them.
        operator = f"{OPERATOR}:{OPERATOR_PHONE}:{hash_password(OPERATOR_PASSWORD)}"
        overrides = {**OVERRIDES, "CONSOLE_OPERATORS": operator}
        replicas = 1
        if kind == "postgres":
            missing = production_stores_missing()
            if missing:
                self.missing[kind] = f"production stores not available here: {missing}"
                return
            subprocess.run([str(PROJECT_ROOT / "scripts" / "install_nginx.sh")], check=True)
            self.redis = RedisServer(self.factory.mktemp("redis")).start()
            overrides["LOCK_STORE_URL"] = self.redis.url
            replicas = 2
        self.stacks[kind] = start_isolated(
            self.factory.mktemp(f"stack-{kind}"),
            auth_token=AUTH_TOKEN,
            name="integration",
            stores=kind,
            replicas=replicas,
            overrides=overrides,
        )

    def get(self, kind: str) -> IsolatedStack:
        """The stack, healthy (its first use waits for it); skips where it cannot run."""
        self.start(kind)
        if kind in self.missing:
            pytest.skip(self.missing[kind])
        stack = self.stacks[kind]
        if kind not in self.healthy:
            if self.redis is not None and kind == "postgres":
                self.redis.wait_ready()
            stack.wait_healthy(START_TIMEOUT_SECONDS)
            self.healthy.add(kind)
        for name in sorted(stack.killed):  # by an earlier test that did not bring it back
            stack.restart(name, START_TIMEOUT_SECONDS)
        return stack

    def stop(self) -> None:
        if self.bench is not None:
            self.bench.stop()
        for stack in self.stacks.values():
            stack.stop()
        if self.redis is not None:
            self.redis.stop()
