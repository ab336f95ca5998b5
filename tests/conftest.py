"""Fixtures shared by every test layer."""

from tests.servicenow_fixtures import servicenow_emulator, servicenow_emulator_process  # noqa: F401
