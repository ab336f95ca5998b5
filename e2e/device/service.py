"""The offline device as a process: beside a running stack, or around a command such as bst.

``run_with_device`` is what ``make e2e-bst`` and the audio mode do: the whole
stack on free ports (stack.isolated, its own token and stores), the device
beside it, then the command with Bespoken's variables pointing at the device.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from settings import PROJECT_ROOT
from stack.isolated import IsolatedStack, isolated_stack
from stack.processes import Service, free_port, python_module

PLACEHOLDER_TOKEN = "twilio-offline-device"  # noqa: S105 - selects the IVR device, grants nothing
PLACEHOLDER_NUMBER = "+15555550199"
RUN_DIR = PROJECT_ROOT / "var" / "e2e"
RESULTS_FILE = RUN_DIR / "bst-test-results.json"
# Variables that would send the CLI to Bespoken's cloud or through a proxy.
CLOUD_VARIABLES = (
    "VIRTUAL_DEVICE_BASE_URL",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
)


def device_service(port: int, stack: IsolatedStack, options: Sequence[str] = ()) -> Service:
    """``python -m e2e.device serve`` against ``stack``; ``options`` go to serve."""
    command = python_module(
        "e2e.device", "serve", "--port", str(port), "--voice-url", stack.voice_url,
        "--servicenow-url", stack.servicenow_url, "--twilio-url", stack.twilio_url,
        "--reports-dir", str(RUN_DIR), *options,
    )  # fmt: skip
    return Service(
        "offline-virtual-device",
        command,
        f"http://127.0.0.1:{port}/",
        RUN_DIR / "logs" / "device.log",
    )


def command_environment(device_url: str, base: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The command's environment: Bespoken's CLI talks to the device, never to the cloud."""
    env = {k: v for k, v in base.items() if k not in CLOUD_VARIABLES}
    env.update(
        {
            "BESPOKEN_VIRTUAL_DEVICE_BASE_URL": device_url,
            "BESPOKEN_API_BASE_URL": device_url,
            "BESPOKEN_VIRTUAL_DEVICE_TOKEN": PLACEHOLDER_TOKEN,
            "HELPDESK_PHONE_NUMBER": PLACEHOLDER_NUMBER,
            "SKIP_STATISTICS": "true",
            "NO_UPDATE_NOTIFIER": "1",
            "VDSDK_TIMEOUT": "5000",  # socket timeout of a poll, above the device's long poll
        }
    )
    return env


def run_with_device(
    command: Sequence[str], cwd: Path | None = None, device_options: Sequence[str] = ()
) -> int:
    """Starts the stack and the device, runs ``command``, stops them; the command's status."""
    (RUN_DIR / "servicenow.sqlite3").unlink(missing_ok=True)
    RESULTS_FILE.unlink(missing_ok=True)
    port = free_port()
    with isolated_stack(RUN_DIR, name="e2e") as stack:
        device = device_service(port, stack, device_options).start()
        try:
            device.wait_healthy(timeout=60)
            device_url = f"http://127.0.0.1:{port}"
            print(
                f"offline stack up; device on {device_url}; logs in {RUN_DIR / 'logs'}", flush=True
            )
            return subprocess.run(  # noqa: S603 - the developer's own command line
                list(command), env=command_environment(device_url), cwd=cwd, check=False
            ).returncode
        finally:
            device.stop()
