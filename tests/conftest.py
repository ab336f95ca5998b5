"""Fixtures shared by every test layer."""

from tests.duckling_fixtures import duckling_server  # noqa: F401
from tests.servicenow_fixtures import servicenow_emulator, servicenow_emulator_process  # noqa: F401
