"""Serve the Twilio REST API emulator (and the phone network behind it).

    python -m emulators.twilio_api --port 8090

Settings come from the environment (``.env`` included): TWILIO_ACCOUNT_SID
(default AC + 32 zeros), TWILIO_AUTH_TOKEN (required; checks API logins and
signs webhooks), TWILIO_EMULATOR_PORT (8090), TWILIO_EMULATOR_AGENT_BEHAVIOUR
(accept|decline|silent|busy|no-answer|manual; default accept),
TWILIO_EMULATOR_RING_SECONDS (1.0), TWILIO_EMULATOR_TIME_SCALE (0.1: how much
of a gather timeout an agent's phone really waits). A fault can be active from
the start with TWILIO_EMULATOR_FAULT=unauthorized|server_error|slow (and
TWILIO_EMULATOR_FAULT_DELAY for ``slow``).
"""

from __future__ import annotations

import argparse
import os
import sys

from emulators.faults import startup_fault
from emulators.request_log import request_logger
from settings import SettingsError, load_environment

from .app import create_app
from .config import EmulatorConfig
from .faults import MODES


def main(argv: list[str] | None = None) -> None:
    load_environment()
    try:
        config = EmulatorConfig.from_env()
    except SettingsError as problem:
        sys.exit(f"twilio emulator: {problem}")
    parser = argparse.ArgumentParser(
        prog="python -m emulators.twilio_api",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=config.port)
    parser.add_argument(
        "--fault", choices=MODES, default=os.environ.get("TWILIO_EMULATOR_FAULT") or None
    )
    args = parser.parse_args(argv)

    log = request_logger("emulators.twilio_api")
    fault = startup_fault(args.fault, "TWILIO_EMULATOR_FAULT_DELAY")
    app = create_app(config, fault=fault)
    log.info(
        "Twilio emulator on http://%s:%d (account %s, agents %s, fault %s)",
        args.host,
        args.port,
        config.account_sid,
        config.agent_behaviour,
        args.fault or "none",
    )
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)


if __name__ == "__main__":
    main()
