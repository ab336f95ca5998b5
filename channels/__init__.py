"""Rasa input channels. ``twilio_voice`` turns phone calls into Rasa turns."""
