"""A ServiceNow Table API emulator (incident, sys_user) for local runs and tests.

See ``app.create_app`` and ``python -m emulators.servicenow --help``.
"""

from .app import create_app

__all__ = ["create_app"]
