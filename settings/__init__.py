"""One place that turns the environment into typed settings.

Every process of the stack (Rasa with the voice channel, the action server, the
Duckling server, the emulators, the scripts) reads its configuration here, so the
names in ``example.env`` are the only names there are. ``.env`` is loaded once,
never overriding variables that are already set.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, TypeVar
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T", int, float)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def load_environment() -> None:
    """Load ``.env`` from the project root (existing variables win)."""
    # Imported here: the settings themselves need only the standard library (the compose
    # smoke call runs outside the project's environment, with twilio alone).
    from dotenv import load_dotenv

    load_dotenv(PROJECT_ROOT / ".env", override=False)


def _get(env: Mapping[str, str], name: str, default: str | None) -> str:
    value = env.get(name)
    if value is None or value == "":
        if default is None:
            raise SettingsError(f"{name} must be set (see example.env)")
        return default
    return value


def _number(env: Mapping[str, str], name: str, default: T, kind: Callable[[str], T]) -> T:
    raw = _get(env, name, str(default))
    try:
        return kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name} must be {what}, got {raw!r}") from None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return _number(env, name, default, int)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, float)


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _get(env, name, "true" if default else "false").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class ServiceNowSettings:
    """Where the ServiceNow Table API lives and how long we wait for it."""

    host: str | None
    instance: str | None
    user: str
    password: str
    use_ssl: bool
    timeout_seconds: float

    def __repr__(self) -> str:  # never print the password
        return (
            f"ServiceNowSettings(host={self.host!r}, instance={self.instance!r}, "
            f"user={self.user!r}, use_ssl={self.use_ssl}, timeout={self.timeout_seconds})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ServiceNowSettings:
        instance = env.get("SNOW_INSTANCE") or None
        host = None if instance else _get(env, "SNOW_HOST", "127.0.0.1:8089")
        real = bool(instance) or _is_service_now(host or "")
        use_ssl = _bool(env, "SNOW_USE_SSL", real)
        if real and not use_ssl:  # basic auth in clear text to a real instance
            where = "SNOW_INSTANCE" if instance else "SNOW_HOST"
            raise SettingsError(
                f"SNOW_USE_SSL=false with {where} set would send the ServiceNow password "
                "over plain HTTP; remove SNOW_USE_SSL or set it to true"
            )
        return cls(
            host=host,
            instance=instance,
            user=_get(env, "SNOW_USER", "admin"),
            password=_get(env, "SNOW_PASSWORD", "admin"),
            use_ssl=use_ssl,
            timeout_seconds=_float(env, "SNOW_TIMEOUT_SECONDS", 4.0),
        )


def _is_service_now(host: str) -> bool:
    """Whether ``host`` (``name[:port]``) is a ServiceNow-hosted instance."""
    name = host.rsplit(":", 1)[0].strip().rstrip(".").lower()
    return name == "service-now.com" or name.endswith(".service-now.com")


def _is_loopback(interface: str) -> bool:
    if interface.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(interface).is_loopback
    except ValueError:  # a host name: assume it is reachable from outside
        return False


@dataclass(frozen=True)
class StackSettings:
    """Ports and paths of the local stack started by ``make up``."""

    rasa_port: int
    rasa_interface: str
    action_port: int
    duckling_port: int
    servicenow_port: int
    twilio_port: int
    servicenow_db: Path
    duckling_timezone: str
    # Rasa processes behind nginx on RASA_PORT (needs the shared stores).
    rasa_replicas: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> StackSettings:
        return cls(
            rasa_port=_int(env, "RASA_PORT", 5005),
            rasa_interface=_get(env, "RASA_INTERFACE", "127.0.0.1"),
            action_port=_int(env, "ACTION_SERVER_PORT", 5055),
            duckling_port=_int(env, "DUCKLING_PORT", 8000),
            servicenow_port=_int(env, "SNOW_EMULATOR_PORT", 8089),
            twilio_port=_int(env, "TWILIO_EMULATOR_PORT", 8090),
            servicenow_db=Path(
                _get(env, "SNOW_EMULATOR_DB", str(PROJECT_ROOT / "var" / "servicenow.sqlite3"))
            ),
            duckling_timezone=_get(env, "DUCKLING_TIMEZONE", "America/New_York"),
            rasa_replicas=max(1, _int(env, "RASA_REPLICAS", 1)),
        )


@dataclass(frozen=True)
class HandoffSettings:
    """When the assistant hands the caller to a person, and how it calls them.

    The action server reads the agent list and the hours (whether to hand off);
    the Rasa process reads the rest (handoff.switchboard rings the agents).
    """

    agent_numbers: tuple[str, ...]
    support_number: str
    after_fallbacks: int
    after_silences: int
    ring_timeout_seconds: int
    hold_music_url: str
    business_hours: str
    timezone: str
    channel_base_url: str
    # Rasa's API token (RASA_API_TOKEN): the console's take-over request carries it.
    # Empty: take-over is off.
    takeover_token: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> HandoffSettings:
        numbers = _get(env, "HANDOFF_AGENT_NUMBERS", "")
        public = (env.get("PUBLIC_URL") or "").rstrip("/")
        return cls(
            agent_numbers=tuple(n.strip() for n in numbers.split(",") if n.strip()),
            support_number=_get(env, "TWILIO_SUPPORT_NUMBER", "+15555550199"),
            after_fallbacks=_int(env, "HANDOFF_AFTER_FALLBACKS", 3),
            after_silences=_int(env, "HANDOFF_AFTER_SILENCES", 0),
            ring_timeout_seconds=_int(env, "HANDOFF_RING_TIMEOUT_SECONDS", 20),
            hold_music_url=_get(
                env,
                "HANDOFF_HOLD_MUSIC_URL",
                "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical",
            ),
            business_hours=_get(env, "HANDOFF_BUSINESS_HOURS", "always"),
            timezone=_get(env, "HANDOFF_TIMEZONE", "America/New_York"),
            channel_base_url=public or f"http://127.0.0.1:{_int(env, 'RASA_PORT', 5005)}",
            takeover_token=env.get("RASA_API_TOKEN") or "",
        )


@dataclass(frozen=True)
class VoiceSettings:
    """How the Twilio Voice channel checks, speaks and listens.

    Each field can also be given in ``credentials.yml`` under the channel's key
    (same name in lower case); the environment is the default.
    """

    auth_token: str
    validate_signature: bool
    public_url: str | None
    voice: str
    language: str
    speech_timeout: str
    gather_timeout: int
    speech_model: str
    enhanced: bool
    confidence_threshold: float
    max_silences: int
    turn_budget_seconds: float
    max_speech_chars: int
    # Checked by the health route (Rasa's DucklingEntityExtractor reads it too).
    duckling_url: str

    def __repr__(self) -> str:  # never print the auth token
        return f"VoiceSettings(public_url={self.public_url!r}, voice={self.voice!r}, ...)"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] = os.environ, overrides: Mapping[str, object] | None = None
    ) -> VoiceSettings:
        merged = dict(env)
        for key, value in (overrides or {}).items():
            if value is not None:
                merged[key.upper()] = str(value)
        validate = _bool(merged, "TWILIO_VALIDATE_SIGNATURE", True)
        speech_timeout = _get(merged, "VOICE_SPEECH_TIMEOUT", "2")
        if speech_timeout != "auto" and not speech_timeout.isdigit():
            raise SettingsError(
                f"VOICE_SPEECH_TIMEOUT must be 'auto' or whole seconds, got {speech_timeout!r}"
            )
        settings = cls(
            auth_token=_get(merged, "TWILIO_AUTH_TOKEN", None if validate else ""),
            validate_signature=validate,
            public_url=(merged.get("PUBLIC_URL") or None),
            voice=_get(merged, "VOICE_NAME", "Polly.Joanna-Neural"),
            language=_get(merged, "VOICE_LANGUAGE", "en-US"),
            speech_timeout=speech_timeout,
            gather_timeout=_int(merged, "VOICE_GATHER_TIMEOUT", 5),
            speech_model=_get(merged, "VOICE_SPEECH_MODEL", "phone_call"),
            enhanced=_bool(merged, "VOICE_ENHANCED", True),
            confidence_threshold=_float(merged, "VOICE_CONFIDENCE_THRESHOLD", 0.3),
            max_silences=_int(merged, "VOICE_MAX_SILENCES", 3),
            turn_budget_seconds=_float(merged, "VOICE_TURN_BUDGET_SECONDS", 6.0),
            max_speech_chars=_int(merged, "VOICE_MAX_SPEECH_CHARS", 500),
            duckling_url=merged.get("RASA_DUCKLING_HTTP_URL") or "",
        )
        if not 0.0 <= settings.confidence_threshold <= 1.0:
            raise SettingsError("VOICE_CONFIDENCE_THRESHOLD must be between 0 and 1")
        if settings.max_speech_chars < 20:
            raise SettingsError("VOICE_MAX_SPEECH_CHARS must be at least 20")
        if settings.max_silences < 1:
            raise SettingsError("VOICE_MAX_SILENCES must be at least 1")
        if settings.public_url and not settings.public_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"PUBLIC_URL must start with http:// or https://, got {settings.public_url!r}"
            )
        interface = _get(merged, "RASA_INTERFACE", "127.0.0.1")
        if validate and not settings.public_url and not _is_loopback(interface):
            # Behind a proxy or tunnel the URL Twilio signed is not the one we see.
            raise SettingsError(
                f"PUBLIC_URL must be set when Rasa listens on RASA_INTERFACE={interface} with "
                "TWILIO_VALIDATE_SIGNATURE on: set it to the https://host Twilio calls"
            )
        return settings


@dataclass(frozen=True)
class StoreSettings:
    """Where conversations, call locks, webhook replies and the ticket outbox live.

    Empty URLs mean the embedded default: a SQLite file under ``var/`` and
    Rasa's in-memory lock store (one Rasa process). Production sets an
    SQLAlchemy URL (PostgreSQL) and a Redis URL so replicas share both.
    """

    tracker_store_url: str
    lock_store_url: str
    lock_lifetime_seconds: float
    connect_timeout_seconds: float
    tracker_cache_conversations: int = 512

    def __repr__(self) -> str:  # URLs may carry passwords
        return f"StoreSettings(tracker={redact_url(self.tracker_store_url)!r}, ...)"

    @property
    def embedded(self) -> bool:
        return self.tracker_store_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> StoreSettings:
        default_db = PROJECT_ROOT / "var" / "tracker.sqlite3"
        tracker = _get(env, "TRACKER_STORE_URL", f"sqlite:///{default_db}")
        lock = env.get("LOCK_STORE_URL") or ""
        if "://" not in tracker:
            raise SettingsError(
                f"TRACKER_STORE_URL must be an SQLAlchemy URL such as "
                f"postgresql://user:pw@host:5432/helpdesk_voice, got {redact_url(tracker)!r}"
            )
        if lock and not lock.startswith(("redis://", "rediss://")):
            raise SettingsError(
                f"LOCK_STORE_URL must be empty (in memory) or redis://host:6379/0, "
                f"got {redact_url(lock)!r}"
            )
        # A crashed turn must not hold its call longer than a turn may take.
        budget = _float(env, "VOICE_TURN_BUDGET_SECONDS", 6.0)
        return cls(
            tracker_store_url=tracker,
            lock_store_url=lock,
            lock_lifetime_seconds=_float(env, "LOCK_LIFETIME_SECONDS", budget),
            connect_timeout_seconds=_float(env, "STORE_CONNECT_TIMEOUT_SECONDS", 3.0),
            tracker_cache_conversations=max(0, _int(env, "TRACKER_CACHE_CONVERSATIONS", 512)),
        )


def redact_url(url: str) -> str:
    """The URL without its password, for logs and error messages."""
    head, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{head}://{user}:***@{host}" if user else f"{head}://***@{host}"


@dataclass(frozen=True)
class TicketSettings:
    """How confirmed ticket requests reach ServiceNow (actions.ticket_delivery)."""

    # After a create that went unanswered, ServiceNow may still be writing it:
    # the request is looked up again only after this long, never re-created before.
    settle_seconds: float
    worker_interval_seconds: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> TicketSettings:
        settings = cls(
            settle_seconds=_float(env, "TICKET_SETTLE_SECONDS", 30.0),
            worker_interval_seconds=_float(env, "TICKET_WORKER_INTERVAL_SECONDS", 1.0),
        )
        if settings.settle_seconds < 1 or settings.worker_interval_seconds <= 0:
            raise SettingsError(
                "TICKET_SETTLE_SECONDS must be at least 1 and "
                "TICKET_WORKER_INTERVAL_SECONDS above 0"
            )
        return settings


# The Twilio emulator's account, used when the REST client talks to it.
TWILIO_EMULATOR_ACCOUNT_SID = "AC" + "0" * 32
_TWILIO_ACCOUNT_SID = re.compile(r"^AC[0-9a-f]{32}$")


@dataclass(frozen=True)
class TwilioRestSettings:
    """Which account the REST client acts for, where the API lives, how long it waits."""

    account_sid: str
    auth_token: str
    api_base_url: str | None = None  # None: the real https://api.twilio.com
    timeout_seconds: float = 5.0

    def __repr__(self) -> str:  # never print the auth token
        return (
            f"TwilioRestSettings(account_sid={self.account_sid!r}, "
            f"api_base_url={self.api_base_url!r}, timeout_seconds={self.timeout_seconds})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> TwilioRestSettings:
        """TWILIO_ACCOUNT_SID (required against real Twilio; the emulator's all-zero account
        otherwise), TWILIO_AUTH_TOKEN (required), TWILIO_API_BASE_URL (empty: real Twilio),
        TWILIO_REST_TIMEOUT_SECONDS (5)."""
        base_url = (env.get("TWILIO_API_BASE_URL") or "").rstrip("/") or None
        if base_url is not None:
            parts = urlsplit(base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise SettingsError(f"TWILIO_API_BASE_URL must be an http(s) URL, got {base_url!r}")
        account_sid = _get(env, "TWILIO_ACCOUNT_SID", None if base_url is None else "")
        account_sid = account_sid or TWILIO_EMULATOR_ACCOUNT_SID
        if not _TWILIO_ACCOUNT_SID.match(account_sid):
            raise SettingsError("TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits")
        auth_token = _get(env, "TWILIO_AUTH_TOKEN", None)
        timeout = _float(env, "TWILIO_REST_TIMEOUT_SECONDS", 5.0)
        if timeout <= 0:
            raise SettingsError("TWILIO_REST_TIMEOUT_SECONDS must be more than 0")
        return cls(account_sid, auth_token, base_url, timeout)
