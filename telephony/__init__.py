"""Telephony pieces shared by the actions and the voice channel.

``twilio_rest.TwilioRest`` is the one client of Twilio's REST API (real Twilio,
or the local emulator by configuration); the hand-off builds its calls on it.
"""
