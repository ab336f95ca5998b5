"""A Twilio REST API emulator (create and move calls) that also plays the phone network.

Outbound calls placed through the API ring an emulated agent phone; inbound
calls dial the application for a driver that plays the caller. Both run their
TwiML (Say, Gather, Redirect, Dial/Conference, Hangup) and send signed webhooks
and status callbacks, as Twilio does. See
``app.create_app`` and ``python -m emulators.twilio_api --help``.
"""

from .app import create_app
from .config import EmulatorConfig

__all__ = ["EmulatorConfig", "create_app"]
