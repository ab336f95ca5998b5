"""The Bespoken voice tests (e2e/tests/*.e2e.yml) through the real ``bst test``, on the
session's stack.

The offline virtual device (``python -m e2e.device serve``) plays each file as one
call through the Twilio emulator to the stack; bst reads the files and judges every
step, as ``make e2e-bst`` does on a stack of its own.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.device.service import RESULTS_FILE, command_environment, device_service
from settings import PROJECT_ROOT
from stack.processes import free_port
from tests.integration.conftest import Stack

pytestmark = [pytest.mark.integration]

E2E = PROJECT_ROOT / "e2e"
BST = E2E / "node_modules" / ".bin" / "bst"
FILES = sorted((E2E / "tests").glob("*.e2e.yml"))


@pytest.fixture
def device(stack: Stack) -> Iterator[str]:
    """The offline device against the session's stack; its base URL."""
    port = free_port()
    service = device_service(port, stack).start()
    try:
        service.wait_healthy(timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        service.stop()


def test_every_bespoken_file_passes_through_bst(
    servicenow_ok: Stack, agents: Stack, device: str
) -> None:
    assert BST.exists(), "bst is not installed: npm ci --prefix e2e (make test does)"
    servicenow_ok.servicenow.reset()  # the tickets a caller hears are the seeded ones
    RESULTS_FILE.unlink(missing_ok=True)
    finished = subprocess.run(
        [str(BST), "test"],
        cwd=E2E,
        env=command_environment(device),
        capture_output=True,
        text=True,
        timeout=900,  # bounds a hang only
    )
    print(finished.stdout[-1500:])
    assert finished.returncode == 0, finished.stdout[-6000:] + finished.stderr[-2000:]
    results = json.loads(RESULTS_FILE.read_text())  # what bst reported to the device
    played = sorted(Path(result["_test"]["_testSuite"]["_fileName"]).name for result in results)
    assert played == [path.name for path in FILES], "every file, each one call"
