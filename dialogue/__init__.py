"""Rasa Core's dialogue side as calls use it: the policies' states, kept per conversation."""
