"""Settings of the Twilio emulator, read from the environment.

``TWILIO_ACCOUNT_SID`` (default ``AC`` + 32 zeros) and ``TWILIO_AUTH_TOKEN``
(required: it checks API logins and signs webhooks) are the same variables the
voice channel and the REST client read, so the whole local stack agrees on them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping

from settings import SettingsError

DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
ACCOUNT_SID = re.compile(r"^AC[0-9a-f]{32}$")
BEHAVIOURS = ("accept", "decline", "silent", "busy", "no-answer", "manual")
ANSWERS = ("accept", "decline", "silent", "busy", "no-answer")


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must be >= 0, got {raw!r}")
    return value


@dataclass(frozen=True)
class EmulatorConfig:
    """Who the emulator is and how its agent phones behave by default.

    ``time_scale`` shrinks how long an agent's phone waits at a ``<Gather>`` it
    does not answer: 0.1 turns an 8 s timeout into 0.8 s.
    """

    account_sid: str = DEFAULT_ACCOUNT_SID
    auth_token: str = ""
    port: int = 8090
    agent_behaviour: str = "accept"
    ring_seconds: float = 1.0
    time_scale: float = 0.1

    def __repr__(self) -> str:  # never print the auth token
        return (
            f"EmulatorConfig(account_sid={self.account_sid!r}, port={self.port}, "
            f"agent_behaviour={self.agent_behaviour!r}, ring_seconds={self.ring_seconds}, "
            f"time_scale={self.time_scale})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> EmulatorConfig:
        account_sid = env.get("TWILIO_ACCOUNT_SID") or DEFAULT_ACCOUNT_SID
        if not ACCOUNT_SID.match(account_sid):
            raise SettingsError("TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits")
        auth_token = env.get("TWILIO_AUTH_TOKEN") or ""
        if not auth_token:
            raise SettingsError("TWILIO_AUTH_TOKEN must be set (see example.env)")
        raw_port = env.get("TWILIO_EMULATOR_PORT") or "8090"
        if not raw_port.isdigit():
            raise SettingsError(f"TWILIO_EMULATOR_PORT must be a whole number, got {raw_port!r}")
        behaviour = env.get("TWILIO_EMULATOR_AGENT_BEHAVIOUR") or "accept"
        if behaviour not in BEHAVIOURS:
            raise SettingsError(
                f"TWILIO_EMULATOR_AGENT_BEHAVIOUR must be one of {', '.join(BEHAVIOURS)}, "
                f"got {behaviour!r}"
            )
        return cls(
            account_sid=account_sid,
            auth_token=auth_token,
            port=int(raw_port),
            agent_behaviour=behaviour,
            ring_seconds=_number(env, "TWILIO_EMULATOR_RING_SECONDS", 1.0),
            time_scale=_number(env, "TWILIO_EMULATOR_TIME_SCALE", 0.1),
        )
