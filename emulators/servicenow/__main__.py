"""Serve the ServiceNow Table API emulator.

    python -m emulators.servicenow --port 8089 --db var/servicenow.sqlite3

Defaults come from the environment (``.env`` included): SNOW_EMULATOR_PORT,
SNOW_EMULATOR_DB; the API user is SNOW_EMULATOR_USER / SNOW_EMULATOR_PASSWORD
(admin/admin). A fault can be active from the start with SNOW_EMULATOR_FAULT
(and SNOW_EMULATOR_FAULT_DELAY for ``slow``); the modes are in ``app.py``.
"""

from dataclasses import asdict
from pathlib import Path

from emulators.common import serve
from settings import StackSettings
from settings.tooling import ServiceNowEmulatorSettings

from .app import MODES, create_app

if __name__ == "__main__":
    serve(
        "servicenow",
        __doc__,
        MODES,
        "SNOW_EMULATOR_PORT",
        8089,
        lambda args, fault: create_app(
            args.db, **asdict(ServiceNowEmulatorSettings.from_env()), fault=fault
        ),
        lambda parser: parser.add_argument(
            "--db", type=Path, default=StackSettings.from_env().servicenow_db
        ),
    )
