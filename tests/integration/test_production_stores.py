"""The production path: PostgreSQL and Redis shared by two Rasa replicas behind nginx.

One stack for this module, with its own database on the local PostgreSQL, a
Redis of its own (so it can be stopped), and nginx balancing turns across the
replicas. A replica killed mid-call, the database refusing connections and
Redis going away must each cost the caller at most one honest apology: no lost
turn, no duplicate ticket, and the call goes on where it was.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from chaos.scenarios import to_confirmation
from settings import PROJECT_ROOT
from stack.isolated import POSTGRES, isolated_stack
from stack.processes import free_port
from tests.integration.conftest import AUTH_TOKEN, SETTLE_SECONDS, Stack

pytestmark = [pytest.mark.integration]

UNAVAILABLE = "I'm having trouble on my side right now"


def _production_stores_here() -> str | None:
    """Why these tests cannot run on this machine, or None (CI has both)."""
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 5432)) != 0:
            return "no PostgreSQL on 127.0.0.1:5432"
    if not shutil.which("redis-server") and not Path("/usr/bin/redis-server").exists():
        return "no redis-server binary"
    return None


pytestmark.append(
    pytest.mark.skipif(
        _production_stores_here() is not None,
        reason=f"production stores not available here: {_production_stores_here()}",
    )
)


class RedisServer:
    """A redis-server of the test's own, so the test can take it away."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir",
             str(self.workdir), "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        import redis

        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
) -> Iterator[Stack]:
    subprocess.run([str(PROJECT_ROOT / "scripts" / "install_nginx.sh")], check=True)
    with isolated_stack(
        tmp_path_factory.mktemp("replicas"),
        auth_token=AUTH_TOKEN,
        name="replicas",
        stores="postgres",
        replicas=2,
        overrides={
            "LOCK_STORE_URL": redis_server.url,
            "SNOW_TIMEOUT_SECONDS": "3",
            "TICKET_SETTLE_SECONDS": str(SETTLE_SECONDS),
            "VOICE_TURN_BUDGET_SECONDS": "3",
        },
    ) as running:
        yield Stack(
            **{f.name: running.__dict__[f.name] for f in running.__dataclass_fields__.values()}
        )


def turns_logged(stack: Stack, replica: str) -> int:
    return stack.log(replica).count("turn call=")


def database_connections(stack: Stack, allowed: bool) -> None:
    """Lets the stack's database take connections, or refuses and drops them (an outage)."""
    name = stack.tracker_store_url.rsplit("/", 1)[1]
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        )
        if not allowed:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
    admin.dispose()


def health(stack: Stack) -> requests.Response:
    return requests.get(f"{stack.voice_url}/webhooks/twilio_voice/", timeout=10)


def test_a_call_is_served_by_both_replicas_and_files_one_ticket(replicas: Stack) -> None:
    before = {r: turns_logged(replicas, r) for r in ("rasa-1", "rasa-2")}
    call = replicas.call()
    assert "Shall I open the ticket?" in to_confirmation(call)
    assert "ticket number is" in call.say("yes").text
    assert len(replicas.servicenow.incidents(f"correlation_idSTARTSWITH{call.sid}")) == 1
    served = {r: turns_logged(replicas, r) - before[r] for r in before}
    assert all(count > 0 for count in served.values()), served


def test_a_replica_killed_mid_call_loses_no_turn_and_duplicates_no_ticket(replicas: Stack) -> None:
    call = replicas.call()
    call.dial()
    call.say("my vpn keeps disconnecting")
    replicas.kill("rasa-1")
    try:
        assert "How urgent" in call.say("it drops every ten minutes").text
        assert "email" in call.say("high").text
        assert "Shall I open the ticket?" in call.say("abel dot tuter at example dot com").text
        assert "ticket number is" in call.say("yes").text
        assert len(replicas.servicenow.incidents(f"correlation_idSTARTSWITH{call.sid}")) == 1
    finally:
        replicas.restart("rasa-1")


def test_a_database_outage_is_an_apology_and_the_call_goes_on_after_it(replicas: Stack) -> None:
    call = replicas.call()
    call.dial()
    assert "what's going wrong" in call.say("my vpn keeps disconnecting").text
    database_connections(replicas, allowed=False)
    try:
        assert UNAVAILABLE in call.say("it drops every ten minutes").text
        reply = health(replicas)
        assert reply.status_code == 503
        assert "tracker store" in reply.json()["failed"]
    finally:
        database_connections(replicas, allowed=True)
    assert "How urgent" in call.say("it drops every ten minutes").text
    assert health(replicas).status_code == 200


def test_a_redis_outage_is_an_apology_and_the_call_goes_on_after_it(
    replicas: Stack, redis_server: RedisServer
) -> None:
    call = replicas.call()
    call.dial()
    assert "what's going wrong" in call.say("my printer is jammed").text
    redis_server.stop()
    try:
        assert UNAVAILABLE in call.say("it jams on every page").text
        reply = health(replicas)
        assert reply.status_code == 503
        assert "lock store" in reply.json()["failed"]
    finally:
        redis_server.start()
    assert "How urgent" in call.say("it jams on every page").text
