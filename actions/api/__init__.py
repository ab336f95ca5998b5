"""Thin typed clients, one per external system the actions talk to."""
