"""Speech-recognition hints for what the assistant is waiting to hear."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Twilio takes up to 500 hints of up to 100 characters each; a short list of
# likely phrases helps recognition more, so a turn sends at most 100.
MAX_HINTS = 100

HINTS_BY_SLOT = {
    "email": ["at", "dot", "dot com", "underscore", "dash", "example dot com", "gmail dot com"],
    "priority": ["high", "medium", "low", "urgent", "no rush"],
    "confirm": ["yes", "no", "the priority", "the email", "the problem"],
    "problem_description": ["outlook", "teams", "VPN", "Wi-Fi", "printer", "laptop", "password"],
}
TOP_LEVEL_HINTS = [
    "open a ticket",
    "check my ticket",
    "password reset",
    "locked account",
    "email",
    "VPN",
    "Wi-Fi",
    "printer",
    "laptop",
    "software",
    "agent",
    "say that again",
]


def hints_for(requested_slot: str | None, buttons: Sequence[dict[str, Any]]) -> str:
    """Comma-separated hints: the buttons' titles, then the slot's or the top level's."""
    phrases = [str(button.get("title", "")) for button in buttons]
    phrases += HINTS_BY_SLOT.get(requested_slot or "", [] if requested_slot else TOP_LEVEL_HINTS)
    seen: list[str] = []
    for phrase in phrases:
        clean = phrase.replace(",", " ").strip()[:100]
        if clean and clean not in seen:
            seen.append(clean)
    return ", ".join(seen[:MAX_HINTS])
