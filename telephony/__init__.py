"""Twilio pieces: the one REST client (``twilio_rest.TwilioRest``, real Twilio or the
local emulator by configuration) and what a call SID looks like. Only the Rasa
process builds the client: the hand-off (handoff.switchboard) places and moves calls.
"""
