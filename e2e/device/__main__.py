"""The offline virtual device, for ``bst test`` without Bespoken or a phone line.

python -m e2e.device serve [--port 8095]
    Serve the device API against a running stack (``make up``): the voice
    webhook on RASA_PORT, the ServiceNow emulator on SNOW_EMULATOR_PORT,
    webhooks signed with TWILIO_AUTH_TOKEN (from the environment or .env).

python -m e2e.device run -- COMMAND [ARGS...]
    Start the whole stack on free ports and the device, run COMMAND with
    BESPOKEN_VIRTUAL_DEVICE_BASE_URL and BESPOKEN_API_BASE_URL pointing at
    the device (and a placeholder token and number), then stop everything
    and exit with COMMAND's status. ``make e2e-bst`` runs ``bst test`` so.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from e2e.device.app import CallFactory, CallParameters, create_app
from e2e.device.engine import CallEngine
from e2e.device.switches import Switchboard
from emulators.twilio_call import TwilioCall
from settings import PROJECT_ROOT, StackSettings, load_environment
from stack.processes import Service, free_port, python_module

DEFAULT_PORT = 8095
PLACEHOLDER_TOKEN = "twilio-offline-device"  # noqa: S105 - selects the IVR device, grants nothing
PLACEHOLDER_NUMBER = "+15555550199"
RUN_DIR = PROJECT_ROOT / "var" / "e2e"
# Variables that would send the CLI to Bespoken's cloud or through a proxy.
CLOUD_VARIABLES = (
    "VIRTUAL_DEVICE_BASE_URL",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
)


def engine_factory(voice_url: str, auth_token: str, emulators: Mapping[str, str]) -> CallFactory:
    def make(parameters: CallParameters) -> CallEngine:
        call = TwilioCall(
            voice_url,
            auth_token,
            called=parameters.phone_number or PLACEHOLDER_NUMBER,
            twilio_api_url=emulators.get("twilio") or None,
        )
        return CallEngine(call, Switchboard(emulators))

    return make


def serve(argv: Sequence[str]) -> None:
    load_environment()
    stack = StackSettings.from_env()
    parser = argparse.ArgumentParser(prog="python -m e2e.device serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--voice-url", default=f"http://127.0.0.1:{stack.rasa_port}")
    parser.add_argument("--servicenow-url", default=f"http://127.0.0.1:{stack.servicenow_port}")
    parser.add_argument("--twilio-url", default=f"http://127.0.0.1:{stack.twilio_port}")
    parser.add_argument("--reports-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    auth_token = os.environ.get("TWILIO_AUTH_TOKEN", "")
    if not auth_token:
        raise SystemExit("TWILIO_AUTH_TOKEN is not set: the device signs webhooks with it")
    emulators = {"servicenow": args.servicenow_url, "twilio": args.twilio_url}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(engine_factory(args.voice_url, auth_token, emulators), args.reports_dir)
    logging.getLogger("e2e.device").info(
        "offline virtual device on http://%s:%d -> %s", args.host, args.port, args.voice_url
    )
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)


def device_service(port: int, voice_url: str, emulators: Mapping[str, str], token: str) -> Service:
    command = python_module(
        "e2e.device", "serve", "--port", str(port), "--voice-url", voice_url,
        "--servicenow-url", emulators.get("servicenow", ""),
        "--twilio-url", emulators.get("twilio", ""),
        "--reports-dir", str(RUN_DIR),
    )  # fmt: skip
    return Service(
        "offline-virtual-device",
        command,
        f"http://127.0.0.1:{port}/",
        RUN_DIR / "logs" / "device.log",
        {"TWILIO_AUTH_TOKEN": token},
    )


def command_environment(device_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLOUD_VARIABLES}
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


def run(argv: Sequence[str]) -> int:
    from e2e.device.local_stack import local_stack

    parser = argparse.ArgumentParser(prog="python -m e2e.device run")
    parser.add_argument("--port", type=int, default=0, help="device port (default: a free one)")
    parser.add_argument("--cwd", type=Path, default=None, help="run COMMAND in this folder")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        parser.error(f"{command[0]}: not found")
    (RUN_DIR / "servicenow.sqlite3").unlink(missing_ok=True)
    port = args.port or free_port()
    with local_stack(RUN_DIR) as stack:
        device = device_service(port, stack.voice_url, stack.emulators, stack.auth_token).start()
        try:
            device.wait_healthy(timeout=60)
            device_url = f"http://127.0.0.1:{port}"
            print(
                f"offline stack up; device on {device_url}; logs in {RUN_DIR / 'logs'}", flush=True
            )
            environment = command_environment(device_url)
            return subprocess.run(  # noqa: S603 - the developer's own command line
                command, env=environment, cwd=args.cwd, check=False
            ).returncode
        finally:
            device.stop()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        serve(argv[1:])
        return 0
    if argv[:1] == ["run"]:
        return run(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
