"""Rasa Core's dialogue side as calls use it: the policies' states kept per conversation,
the model's graph run in a loop."""
