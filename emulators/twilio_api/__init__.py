"""A Twilio REST API emulator (create and move calls) that also plays the phone network:
see ``app.py``, ``network.py`` and ``twiml_runner.py`` (the one TwiML interpreter)."""
