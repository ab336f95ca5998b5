"""Settings of the tooling around the product: the emulators, the model cache, the audio
end-to-end suite and the compose smoke call.

Built with the helpers of ``settings/__init__.py``, so a variable is read, defaulted and
checked the same way everywhere: an empty value means the default, and a malformed one
is a :class:`SettingsError` naming the variable. Only the standard library is imported
here (the smoke call runs with the standard library and twilio alone).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from settings import SettingsError, _float, _get, _int

# The Twilio emulator's account when TWILIO_ACCOUNT_SID is empty (AC and 32 zeros).
DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
# How an emulated agent's phone answers (TWILIO_EMULATOR_AGENT_BEHAVIOUR).
AGENT_BEHAVIOURS = ("accept", "decline", "silent", "busy", "no-answer", "manual")
# The voice the audio suite's callers speak with (E2E_AUDIO_VOICE).
DEFAULT_E2E_AUDIO_VOICE = "flite:kal16"
# The compose smoke call's voice webhook (SMOKE_URL).
DEFAULT_SMOKE_URL = "http://127.0.0.1:5005/webhooks/twilio_voice/webhook"


@dataclass(frozen=True)
class EmulatorSettings:
    """An emulator's command-line defaults (emulators/common.py): its port, and a fault
    active from the start. ``port_variable`` names the port (e.g. SNOW_EMULATOR_PORT);
    the fault variables share its prefix (SNOW_EMULATOR_FAULT, SNOW_EMULATOR_FAULT_DELAY)."""

    port: int
    fault: str | None  # None: no fault
    fault_delay_seconds: float

    @classmethod
    def from_env(
        cls, port_variable: str, default_port: int, env: Mapping[str, str] = os.environ
    ) -> EmulatorSettings:
        prefix = port_variable.removesuffix("_PORT")
        return cls(
            port=_int(env, port_variable, default_port),
            fault=env.get(f"{prefix}_FAULT") or None,
            fault_delay_seconds=_float(env, f"{prefix}_FAULT_DELAY", 5.0),
        )


@dataclass(frozen=True)
class ServiceNowEmulatorSettings:
    """The basic-auth account the ServiceNow emulator accepts."""

    user: str
    password: str = field(repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ServiceNowEmulatorSettings:
        return cls(
            user=_get(env, "SNOW_EMULATOR_USER", "admin"),
            password=_get(env, "SNOW_EMULATOR_PASSWORD", "admin"),
        )


@dataclass(frozen=True)
class TwilioEmulatorSettings:
    """Who the Twilio emulator is and how its agents' phones behave by default.
    ``time_scale`` shrinks how long an agent's phone waits at a ``<Gather>`` it does not
    answer: 0.1 turns an 8 s timeout into 0.8 s."""

    account_sid: str = DEFAULT_ACCOUNT_SID
    auth_token: str = field(default="", repr=False)  # checks API logins and signs webhooks
    agent_behaviour: str = "accept"
    ring_seconds: float = 1.0
    time_scale: float = 0.1

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> TwilioEmulatorSettings:
        """TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (the channel and the REST client read the
        same, so the local stack agrees on them), TWILIO_EMULATOR_AGENT_BEHAVIOUR,
        TWILIO_EMULATOR_RING_SECONDS and TWILIO_EMULATOR_TIME_SCALE."""
        behaviour = _get(env, "TWILIO_EMULATOR_AGENT_BEHAVIOUR", "accept")
        if behaviour not in AGENT_BEHAVIOURS:
            raise SettingsError(
                f"TWILIO_EMULATOR_AGENT_BEHAVIOUR must be one of {AGENT_BEHAVIOURS}"
            )
        return cls(
            account_sid=_get(env, "TWILIO_ACCOUNT_SID", DEFAULT_ACCOUNT_SID),
            auth_token=_get(env, "TWILIO_AUTH_TOKEN", ""),
            agent_behaviour=behaviour,
            ring_seconds=_float(env, "TWILIO_EMULATOR_RING_SECONDS", 1.0),
            time_scale=_float(env, "TWILIO_EMULATOR_TIME_SCALE", 0.1),
        )


@dataclass(frozen=True)
class ModelCacheSettings:
    """Where scripts/train_model.py keeps trained models by fingerprint."""

    root: Path  # models are kept in ``root / "models"``

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ModelCacheSettings:
        default = str(Path.home() / ".cache" / "helpdesk-voice")
        return cls(root=Path(_get(env, "HELPDESK_CACHE_DIR", default)))


@dataclass(frozen=True)
class AudioE2ESettings:
    """Defaults of ``python -m e2e.audio`` (``make e2e-audio``): the recognizer and voice."""

    engine: str  # a recognizer of e2e/audio/recognizer.py, or "none"
    voice: str  # flite:NAME or espeak-ng:NAME

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> AudioE2ESettings:
        return cls(
            engine=_get(env, "E2E_AUDIO_ENGINE", "whisper"),
            voice=_get(env, "E2E_AUDIO_VOICE", DEFAULT_E2E_AUDIO_VOICE),
        )


@dataclass(frozen=True)
class SmokeCallSettings:
    """Defaults of deploy/smoke_call.py: the webhook it calls, the public base URL the
    server signs against, and the auth token (None: not set)."""

    url: str
    public_url: str | None
    auth_token: str | None = field(repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> SmokeCallSettings:
        return cls(
            url=_get(env, "SMOKE_URL", DEFAULT_SMOKE_URL),
            public_url=env.get("PUBLIC_URL") or None,
            auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        )
