"""The production path: PostgreSQL and Redis shared by two Rasa replicas behind nginx.

The session's production stack (tests/stacks.py): a database of its own on the
local PostgreSQL, a Redis of its own (so it can be stopped), and nginx balancing
turns across the replicas. A replica killed mid-call, the database refusing
connections and Redis going away must each cost the caller at most one honest
apology: no lost turn, no duplicate ticket, and the call goes on where it was.
The tests marked ``both_stores`` elsewhere run on this stack too.
"""

from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from channels.urls import call_tag
from emulators.twilio_call import TwilioCall
from stack.isolated import POSTGRES
from tests.integration.conftest import Stack
from tests.stacks import RedisServer, SessionStacks

pytestmark = [pytest.mark.integration]

UNAVAILABLE = "I'm having trouble on my side right now"


@pytest.fixture
def redis_server(replicas: Stack, session_stacks: SessionStacks) -> RedisServer:
    """The production stack's own Redis."""
    assert session_stacks.redis is not None
    return session_stacks.redis


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


def turns_of(stack: Stack, replica: str, call: TwilioCall) -> int:
    return stack.log(replica).count(f"turn call={call_tag(call.sid)} ")


def test_each_calls_turns_stay_on_one_replica_and_calls_spread_over_both(
    replicas: Stack,
) -> None:
    calls = [replicas.call() for _ in range(12)]
    for call in calls:
        call.dial()  # names no call yet: either replica, which the other then follows
        call.say("my printer is jammed")
        assert "How urgent" in call.say("it jams on every page").text
    served = {
        call.sid: {r: turns_of(replicas, r, call) for r in ("rasa-1", "rasa-2")} for call in calls
    }
    print(served)
    for turns in served.values():
        assert sorted(turns.values()) == [0, 2]  # both answers on the replica its tag names
    homes = {max(turns, key=turns.__getitem__) for turns in served.values()}
    assert homes == {"rasa-1", "rasa-2"}


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
        redis_server.start().wait_ready()
    assert "How urgent" in call.say("it jams on every page").text


def test_a_replica_killed_mid_call_loses_no_turn_and_duplicates_no_ticket(replicas: Stack) -> None:
    call = replicas.call()
    call.dial()
    call.say("my vpn keeps disconnecting")
    replicas.kill("rasa-1")  # the next test on this stack starts it again (tests/stacks.py)
    assert "How urgent" in call.say("it drops every ten minutes").text
    assert "email" in call.say("high").text
    assert "Shall I open the ticket?" in call.say("abel dot tuter at example dot com").text
    assert "ticket number is" in call.say("yes").text
    assert len(replicas.servicenow.incidents(f"correlation_idSTARTSWITH{call.sid}")) == 1
