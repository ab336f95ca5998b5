"""Serve the Twilio REST API emulator (and the phone network behind it).

    python -m emulators.twilio_api --port 8090

Settings come from the environment (``.env`` included): TWILIO_ACCOUNT_SID
(default AC + 32 zeros), TWILIO_AUTH_TOKEN (required: it checks API logins and
signs webhooks), TWILIO_EMULATOR_PORT (8090), TWILIO_EMULATOR_AGENT_BEHAVIOUR
(accept|decline|silent|busy|no-answer|manual; default accept),
TWILIO_EMULATOR_RING_SECONDS (1.0), TWILIO_EMULATOR_TIME_SCALE (0.1: how much
of a gather timeout an agent's phone really waits). A fault can be active from
the start with TWILIO_EMULATOR_FAULT=unauthorized|server_error|slow (and
TWILIO_EMULATOR_FAULT_DELAY for ``slow``).
"""

from emulators.common import serve
from settings.tooling import TwilioEmulatorSettings

from .app import MODES, create_app

if __name__ == "__main__":
    serve(
        "twilio_api",
        __doc__,
        MODES,
        "TWILIO_EMULATOR_PORT",
        8090,
        lambda args, fault: create_app(TwilioEmulatorSettings.from_env(), fault=fault),
    )
