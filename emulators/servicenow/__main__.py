"""Serve the ServiceNow Table API emulator.

    python -m emulators.servicenow --port 8089 --db var/servicenow.sqlite3

Defaults come from StackSettings (SNOW_EMULATOR_PORT, SNOW_EMULATOR_DB). The API
user is SNOW_EMULATOR_USER / SNOW_EMULATOR_PASSWORD (admin/admin). A fault can
be active from the start with SNOW_EMULATOR_FAULT=slow|rate_limit|server_error|
hibernating (and SNOW_EMULATOR_FAULT_DELAY for ``slow``).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from emulators.faults import startup_fault
from emulators.request_log import request_logger
from settings import StackSettings, load_environment

from .app import create_app
from .faults import MODES


def main(argv: list[str] | None = None) -> None:
    load_environment()
    stack = StackSettings.from_env()
    parser = argparse.ArgumentParser(
        prog="python -m emulators.servicenow",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=stack.servicenow_port)
    parser.add_argument("--db", type=Path, default=stack.servicenow_db)
    parser.add_argument("--fault", choices=MODES, default=os.environ.get("SNOW_EMULATOR_FAULT"))
    args = parser.parse_args(argv)

    log = request_logger("emulators.servicenow")
    fault = startup_fault(args.fault, "SNOW_EMULATOR_FAULT_DELAY")
    app = create_app(
        args.db,
        user=os.environ.get("SNOW_EMULATOR_USER") or "admin",
        password=os.environ.get("SNOW_EMULATOR_PASSWORD") or "admin",
        fault=fault,
    )
    log.info(
        "ServiceNow emulator on http://%s:%d (db %s, fault %s)",
        args.host,
        args.port,
        args.db,
        args.fault or "none",
    )
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)


if __name__ == "__main__":
    main()
