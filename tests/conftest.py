"""Fixtures shared by every test layer."""

from tests.duckling_fixtures import duckling_server  # noqa: F401
from tests.servicenow_fixtures import servicenow_emulator, servicenow_emulator_process  # noqa: F401
from tests.twilio_fixtures import (  # noqa: F401
    fake_channel,
    fake_channel_server,
    fresh_twilio_emulator,
    twilio_emulator,
)
