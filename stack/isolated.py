"""The whole local stack on free ports with its own databases, for test suites.

The integration tests, the offline Bespoken suite and the benchmarks each start
the same services ``make up`` starts (stack.local), but on free ports, with
their own auth token, ServiceNow database, tracker database and Redis database,
so a developer's running stack and the other suites are left alone.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulators.admin_client import ServiceNowAdmin, TwilioAdmin
from emulators.twilio_call import TwilioCall
from stack.local import Ports, build_services, stack_environment
from stack.processes import Service

AGENTS = ("+15555550142", "+15555550143")


@dataclass
class IsolatedStack:
    ports: Ports
    services: list[Service]
    tracker_store_url: str
    workdir: Path
    killed: set[str] = field(default_factory=set)

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def call(self, **kwargs: str) -> TwilioCall:
        return TwilioCall(self.voice_url, self.twilio_url, **kwargs)

    @property
    def twilio(self) -> TwilioAdmin:
        return TwilioAdmin(self.twilio_url)

    @property
    def servicenow(self) -> ServiceNowAdmin:
        return ServiceNowAdmin(self.servicenow_url)

    def kill(self, name: str) -> None:
        """SIGKILL a service's whole process group, as a crash would."""
        service = self.service(name)
        if service.process is not None and service.process.poll() is None:
            os.killpg(service.process.pid, signal.SIGKILL)
            service.process.wait()
            self.killed.add(name)

    def restart(self, name: str, timeout: float = 240.0) -> None:
        """Start a killed service again on the same port, and wait until it is healthy."""
        service = self.service(name)
        service.start()
        service.wait_healthy(timeout)
        self.killed.discard(name)

    def wait_healthy(self, timeout: float = 240.0) -> IsolatedStack:
        """Block until every service answers its health check."""
        for service in self.services:
            service.wait_healthy(timeout=timeout)
        return self

    def stop(self) -> None:
        """Stop every service, newest first, and drop the stack's own PostgreSQL database."""
        for service in reversed(self.services):
            service.stop()
        if not self.tracker_store_url.startswith(POSTGRES):
            return
        import sqlalchemy as sa

        name = self.tracker_store_url.rsplit("/", 1)[1]
        admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()

    def log(self, service: str) -> str:
        """What one of the stack's processes has logged so far."""
        return self.service(service).log_path.read_text(errors="replace")

    def rasa_log(self) -> str:
        """What the Rasa process, or every replica, has logged so far."""
        replicas = [s.name for s in self.services if s.name == "rasa" or s.name.startswith("rasa-")]
        return "".join(self.log(name) for name in replicas)

    def tracker_events(self, call_sid: str) -> list[tuple[str, dict]]:
        """(type, data) of every stored event of the call's conversation."""
        import sqlalchemy as sa

        query = sa.text("SELECT type_name, data FROM events WHERE sender_id = :sid ORDER BY id")
        engine = sa.create_engine(self.tracker_store_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(query, {"sid": call_sid}).all()
            return [(kind, json.loads(data)) for kind, data in rows]
        finally:
            engine.dispose()

    def url(self, port_name: str) -> str:
        return f"http://127.0.0.1:{getattr(self.ports, port_name)}"

    @property
    def voice_url(self) -> str:
        return self.url("rasa")

    @property
    def servicenow_url(self) -> str:
        return self.url("servicenow")

    @property
    def twilio_url(self) -> str:
        return self.url("twilio")


POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/1"


def store_urls(workdir: Path, name: str, stores: str) -> dict[str, str]:
    """Every store of the stack, its own, chosen here and nowhere else.

    ``embedded``: SQLite files in ``workdir``, locks in memory. ``postgres``: a
    database of its own on the local PostgreSQL (``name`` keeps it apart, so make
    it unique: see ``start_isolated``), and Redis database 1, where call SIDs keep
    stacks apart. Either way the console's databases and the event broker's are
    files in ``workdir``, never the developer's under var/.
    """
    embedded = stores == "embedded"
    sqlite = f"sqlite:///{workdir / 'tracker.sqlite3'}"
    return {
        "TRACKER_STORE_URL": sqlite if embedded else f"{POSTGRES}/helpdesk_voice_{name}",
        "LOCK_STORE_URL": "" if embedded else REDIS,
        "RASA_EVENT_BROKER_DB": str(workdir / "events.sqlite3"),
        "CONSOLE_DB": str(workdir / "console.sqlite3"),
        "CONSOLE_MODELS_DIR": str(workdir / "console-models"),
        "CONSOLE_REVIEWED_NLU": str(workdir / "reviewed.yml"),
    }


def isolated_environment(
    ports: Ports,
    *,
    auth_token: str = "",
    stores: dict[str, str],
    overrides: Mapping[str, str] | None = None,
    base: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """Everything points at these ports and stores, whatever ``base`` says; webhooks are
    signed with ``auth_token`` (a random one by default)."""
    # A developer's real ServiceNow or Twilio in ``base`` is never what a test stack talks to.
    local = {**base, "SNOW_HOST": "", "SNOW_INSTANCE": "", "TWILIO_API_BASE_URL": ""}
    return {
        **stack_environment(ports, local),
        "SNOW_USER": "admin",
        "SNOW_PASSWORD": "admin",
        "SNOW_USE_SSL": "false",
        "SNOW_TIMEOUT_SECONDS": "2",
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": auth_token or secrets.token_hex(16),
        "TWILIO_VALIDATE_SIGNATURE": "true",
        "TWILIO_EMULATOR_AGENT_BEHAVIOUR": "accept",
        "TWILIO_EMULATOR_RING_SECONDS": "0.2",
        "PUBLIC_URL": "",
        "HANDOFF_AGENT_NUMBERS": ",".join(AGENTS),
        "HANDOFF_BUSINESS_HOURS": "always",
        "HANDOFF_AFTER_SILENCES": "0",
        "VOICE_TURN_BUDGET_SECONDS": "6",
        **stores,
        **(overrides or {}),
    }


def start_isolated(
    workdir: Path,
    *,
    auth_token: str = "",
    name: str,
    stores: str = "embedded",
    replicas: int = 1,
    overrides: Mapping[str, str] | None = None,
) -> IsolatedStack:
    """Spawns every service (training the model first if needed) without waiting for them.

    ``wait_healthy()`` then waits, ``stop()`` stops them. On PostgreSQL the database
    is ``helpdesk_voice_<name>_<random>``: two runs on one machine (two worktrees,
    say) never share one, and ``stop()`` drops it.
    """
    from scripts.train_model import ensure_model

    model = ensure_model()
    ports = Ports.free()
    if stores == "postgres":
        name = f"{name}_{secrets.token_hex(4)}"
    urls = store_urls(workdir, name, stores)
    env = isolated_environment(ports, auth_token=auth_token, stores=urls, overrides=overrides)
    services = build_services(
        ports, workdir / "logs", env, workdir / "servicenow.sqlite3", model, replicas=replicas
    )
    stack = IsolatedStack(ports, [], urls["TRACKER_STORE_URL"], workdir)
    try:
        for service in services:  # all at once: Rasa's model load is the long part
            stack.services.append(service.start())
    except BaseException:
        stack.stop()
        raise
    return stack


@contextmanager
def isolated_stack(
    workdir: Path, *, timeout: float = 240.0, **options: Any
) -> Iterator[IsolatedStack]:
    """``start_isolated(workdir, **options)``, once healthy (within ``timeout``); stopped after."""
    stack = start_isolated(workdir, **options)
    try:
        yield stack.wait_healthy(timeout)
    finally:
        stack.stop()
