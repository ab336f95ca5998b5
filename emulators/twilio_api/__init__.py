"""A Twilio REST API emulator (Calls, Conferences, Participants) that also plays the phone network.

Outbound calls placed through the API ring an emulated agent phone, run their
TwiML (Say, Gather, Pause, Play, Redirect, Dial/Conference, Hangup), press keys
and send signed webhooks and status callbacks, as Twilio does. See
``app.create_app`` and ``python -m emulators.twilio_api --help``.
"""

from .app import create_app
from .config import EmulatorConfig

__all__ = ["EmulatorConfig", "create_app"]
