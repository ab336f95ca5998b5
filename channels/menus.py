"""Buttons on the phone: read as a spoken menu, answered with the keypad."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract import INTENT_REQUEST_HUMAN

# Zero asks for a person wherever the caller is in the conversation.
HUMAN_KEY = "0"
HUMAN_PAYLOAD = f"/{INTENT_REQUEST_HUMAN}"


def menu_sentence(buttons: Sequence[dict[str, Any]]) -> str:
    """``Say high or press 1, medium or press 2, or low or press 3.``"""
    choices = [
        f"{button.get('title', '').strip()} or press {number}"
        for number, button in enumerate(buttons[:9], start=1)
        if button.get("title")
    ]
    if not choices:
        return ""
    if len(choices) == 1:
        return f"Say {choices[0]}."
    return f"Say {', '.join(choices[:-1])}, or {choices[-1]}."


def payload_for_keys(digits: str, buttons: Sequence[dict[str, Any]]) -> str | None:
    """The payload a key press stands for, or None for a key with no meaning here."""
    key = digits.strip()[:1]
    if key == HUMAN_KEY:
        return HUMAN_PAYLOAD
    if key.isdigit() and 1 <= int(key) <= min(len(buttons), 9):
        payload = buttons[int(key) - 1].get("payload")
        return str(payload) if payload else None
    return None
