"""Settings of the agent console (console/), read from the environment like the others.

Operators come from ``CONSOLE_OPERATORS`` as ``name:phone:hash`` entries separated
by ``;``, where ``hash`` is made by ``python -m console.hash_password``; a plain
password is refused. The console needs Rasa's API token to take calls over and to
load models, so a missing ``RASA_API_TOKEN`` fails at start.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from settings import PROJECT_ROOT, SettingsError, _bool, _float, _get, _int
from telephony.e164 import is_e164

HASH_PREFIX = "pbkdf2_sha256$"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@dataclass(frozen=True)
class Operator:
    """One person who may sign in; ``phone`` is rung when they take a call over."""

    name: str
    phone: str
    password_hash: str = field(repr=False)


def parse_operators(raw: str) -> tuple[Operator, ...]:
    """``name:phone:pbkdf2_sha256$...;...`` into operators, one clear error per bad entry."""
    operators: list[Operator] = []
    for index, entry in enumerate(e.strip() for e in raw.split(";")):
        if not entry:
            continue
        parts = entry.split(":", 2)
        if len(parts) != 3:
            raise SettingsError(f"CONSOLE_OPERATORS entry {index + 1} must be name:phone:hash")
        name, phone, password_hash = (p.strip() for p in parts)
        if not _NAME.match(name):
            raise SettingsError(f"CONSOLE_OPERATORS entry {index + 1}: bad name {name!r}")
        if not is_e164(phone):
            raise SettingsError(
                f"CONSOLE_OPERATORS entry {index + 1}: the phone must be E.164 (+15555550142)"
            )
        if not password_hash.startswith(HASH_PREFIX):
            raise SettingsError(
                f"CONSOLE_OPERATORS entry {index + 1}: give a hash from "
                "`python -m console.hash_password`, never a password"
            )
        operators.append(Operator(name, phone, password_hash))
    if len({o.name for o in operators}) != len(operators):
        raise SettingsError("CONSOLE_OPERATORS names must be unique")
    return tuple(operators)


def console_port(env: Mapping[str, str] = os.environ) -> int:
    return _int(env, "CONSOLE_PORT", 8070)


@dataclass(frozen=True)
class ConsoleSettings:
    """Where the console listens, who may sign in, and what it reads and writes."""

    port: int
    operators: tuple[Operator, ...]
    secret: str = field(repr=False)
    retention_days: int
    rasa_url: str
    rasa_api_token: str = field(repr=False)
    # Every Rasa process a new model must be loaded into (replicas behind nginx).
    rasa_replica_urls: tuple[str, ...]
    events_db: Path
    db: Path
    reviewed_nlu: Path
    models_dir: Path
    signin_limit: int
    signin_window_seconds: float
    low_confidence: float
    silence_seconds: float
    secure_cookie: bool

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ConsoleSettings:
        var = PROJECT_ROOT / "var"
        rasa_port = _int(env, "RASA_PORT", 5005)
        settings = cls(
            port=console_port(env),
            operators=parse_operators(_get(env, "CONSOLE_OPERATORS", "")),
            secret=_get(env, "CONSOLE_SECRET", None),
            retention_days=_int(env, "CONSOLE_RETENTION_DAYS", 30),
            rasa_url=_get(env, "CONSOLE_RASA_URL", f"http://127.0.0.1:{rasa_port}").rstrip("/"),
            rasa_api_token=_get(env, "RASA_API_TOKEN", None),
            rasa_replica_urls=tuple(
                url.strip().rstrip("/")
                for url in (env.get("CONSOLE_RASA_REPLICA_URLS") or "").split(",")
                if url.strip()
            ),
            events_db=Path(_get(env, "RASA_EVENT_BROKER_DB", str(var / "events.sqlite3"))),
            db=Path(_get(env, "CONSOLE_DB", str(var / "console.sqlite3"))),
            reviewed_nlu=Path(
                _get(
                    env,
                    "CONSOLE_REVIEWED_NLU",
                    str(PROJECT_ROOT / "rasa_bot" / "data" / "nlu" / "reviewed.yml"),
                )
            ),
            models_dir=Path(_get(env, "CONSOLE_MODELS_DIR", str(var / "console-models"))),
            signin_limit=_int(env, "CONSOLE_SIGNIN_LIMIT", 5),
            signin_window_seconds=_float(env, "CONSOLE_SIGNIN_WINDOW_SECONDS", 300.0),
            low_confidence=_float(env, "CONSOLE_LOW_CONFIDENCE", 0.6),
            silence_seconds=_float(env, "CONSOLE_SILENCE_SECONDS", 15.0),
            secure_cookie=_bool(env, "CONSOLE_SECURE_COOKIE", False),
        )
        if not settings.operators:
            raise SettingsError("CONSOLE_OPERATORS must name at least one operator")
        if len(settings.secret) < 16:
            raise SettingsError("CONSOLE_SECRET must be at least 16 characters")
        if settings.retention_days < 1:
            raise SettingsError("CONSOLE_RETENTION_DAYS must be at least 1")
        if settings.signin_limit < 1:
            raise SettingsError("CONSOLE_SIGNIN_LIMIT must be at least 1")
        return settings
