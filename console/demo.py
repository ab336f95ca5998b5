"""The local stack's console operator: made per stack, its password shown once, never stored.

When CONSOLE_OPERATORS is not configured, ``make up`` creates the operator
``demo`` whose phone is the first hand-off agent (the Twilio emulator's phone),
with a fresh random password that only the terminal sees. Stacks started by
tests get one too, with a password nobody is told, unless they configure their own.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping

from console.passwords import hash_password

DEMO_NAME = "demo"
DEMO_PHONE = "+15555550142"  # the Twilio emulator's first agent phone


def ensure_operator(env: MutableMapping[str, str]) -> str | None:
    """Adds the demo operator to ``env`` if none is configured; returns its password."""
    if env.get("CONSOLE_OPERATORS"):
        return None
    agents = [n.strip() for n in (env.get("HANDOFF_AGENT_NUMBERS") or "").split(",") if n.strip()]
    password = secrets.token_urlsafe(9)
    # Few rounds: the password is random and lives as long as this local stack.
    encoded = hash_password(password, iterations=20_000)
    env["CONSOLE_OPERATORS"] = f"{DEMO_NAME}:{agents[0] if agents else DEMO_PHONE}:{encoded}"
    return password


def ensure_secrets(env: MutableMapping[str, str]) -> None:
    """A random Rasa API token and console secret for this stack, unless configured."""
    for name in ("RASA_API_TOKEN", "CONSOLE_SECRET"):
        if not env.get(name):
            env[name] = secrets.token_urlsafe(32)
