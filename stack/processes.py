"""Start a server as a child process and wait until its health check answers.

Used by ``make up`` and by the integration tests, so both start the stack the
same way: one command line per service, one health URL per service.
"""

from __future__ import annotations

import fcntl
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import urlsplit

import requests

from settings import PROJECT_ROOT


class ServiceDidNotStart(RuntimeError):
    """A child process exited or never answered its health check."""


# Below the kernel's ephemeral range (32768+), so an outgoing connection's local
# port cannot take a server's port between choosing and binding it.
PORT_RANGE = (20000, 32000)
# A port handed out is claimed by an flock on a file here until this process
# exits (the kernel drops the lock then, even on a crash). Stacks started at the
# same moment, in this process or in others (make test's three jobs), could
# otherwise pick one port between one's check and the other's bind; the loser's
# health check would then find the winner's server and call it its own. One
# folder per user (its empty files stay, one per port ever handed out).
PORT_CLAIMS = Path(tempfile.gettempdir()) / f"helpdesk-voice-ports-{os.getuid()}"
_claimed: dict[int, int] = {}  # port -> the descriptor holding its claim


def _claim(port: int) -> bool:
    """Take ``port`` for this process unless another stack (here or elsewhere) has it."""
    PORT_CLAIMS.mkdir(exist_ok=True)
    descriptor = os.open(PORT_CLAIMS / str(port), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # another open file holds it: this process's own, or another's
        os.close(descriptor)
        return False
    _claimed[port] = descriptor
    return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on and no other stack was given."""
    for _ in range(200):
        port = random.randint(*PORT_RANGE)  # noqa: S311 - not a secret
        if port in _claimed or not _claim(port):
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # kept claimed: something else serves there
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")


def is_healthy(url: str, timeout: float = 1.0) -> bool:
    """True when ``url`` answers with a 2xx status."""
    try:
        return 200 <= requests.get(url, timeout=timeout).status_code < 300
    except requests.RequestException:
        return False


@dataclass
class Service:
    """One child process of the stack."""

    name: str
    command: Sequence[str]
    health_url: str
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def port(self) -> int | None:
        """The port its health URL is on."""
        return urlsplit(self.health_url).port

    def start(self) -> Service:
        """Spawn the process with its output in ``log_path`` (moved to ``.1`` first at 20 MB)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self.log_path.exists() and self.log_path.stat().st_size >= 20_000_000:
            RotatingFileHandler(self.log_path, backupCount=3, delay=True).doRollover()
        environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **self.env}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command lines
                list(self.command),
                cwd=PROJECT_ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def wait_healthy(self, timeout: float) -> Service:
        """Block until the health URL answers, or raise with the log's tail."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServiceDidNotStart(f"{self.name} exited:\n{self.log_tail()}")
            if is_healthy(self.health_url):
                return self
            time.sleep(0.2)
        raise ServiceDidNotStart(
            f"{self.name} not healthy after {timeout:.0f}s:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process group, killing it if it does not go."""
        if self.process is None or self.process.poll() is not None:
            return
        terminate_group(self.process.pid, timeout)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def terminate_group(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM the process group led by ``pid``, then SIGKILL after ``timeout``."""
    with suppress(ProcessLookupError):  # the group is gone
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with suppress(ChildProcessError):  # reap it if it is our child
                os.waitpid(pid, os.WNOHANG)
            os.killpg(pid, 0)
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)


def python_module(module: str, *args: str) -> list[str]:
    """Command line that runs ``python -m module`` with this interpreter."""
    return [sys.executable, "-m", module, *args]
