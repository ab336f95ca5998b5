"""The ServiceNow client, through pysnow over loopback HTTP, against the emulator."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import datetime, timezone

import pysnow
import pytest

from emulators.servicenow.seed import ABRAHAM_LINCOLN_SYS_ID, user_sys_id
from servicenow.client import (
    Incident,
    ServiceNowClient,
    ServiceNowError,
    ServiceNowRejected,
    ServiceNowUnavailable,
    ServiceNowUser,
)
from settings import ServiceNowSettings
from stack.processes import free_port

ABEL_SYS_ID = user_sys_id("abel.tuter")


@pytest.fixture
def client(servicenow_emulator) -> ServiceNowClient:
    return ServiceNowClient(servicenow_emulator.settings)


# -- user lookup ----------------------------------------------------------------------------


async def test_unknown_email_finds_no_user(client):
    assert await client.find_users_by_email("nobody@example.com") == []


async def test_email_finds_one_user_whatever_the_letter_case(client):
    users = await client.find_users_by_email("  Abraham.Lincoln@Example.com ")
    assert users == [
        ServiceNowUser(
            sys_id=ABRAHAM_LINCOLN_SYS_ID,
            name="Abraham Lincoln",
            email="abraham.lincoln@example.com",
            user_name="abraham.lincoln",
        )
    ]


async def test_shared_email_finds_every_active_user(client):
    users = await client.find_users_by_email("shared.desk@example.com")
    assert sorted(u.user_name for u in users) == ["sam.shared", "sasha.shared"]


async def test_inactive_user_is_not_found(client):
    assert await client.find_users_by_email("inactive.user@example.com") == []


@pytest.mark.parametrize(
    "email",
    [
        "nobody@example.com^ORactive=true",
        "nobody@example.com^NQactive=true",
        "nobody@example.com^ORemailISNOTEMPTY",
        "abraham.lincoln@example.com,abel.tuter@example.com",
        "inactive.user@example.com^ORDERBYemail",
    ],
)
async def test_email_with_query_syntax_cannot_inject_terms(client, email):
    assert await client.find_users_by_email(email) == []


def test_injected_terms_would_match_users_if_sent_raw(servicenow_emulator):
    # Why the client refuses such addresses: encoded queries have no escape for "^".
    reply = servicenow_emulator.api(
        "GET",
        "/table/sys_user",
        params={"sysparm_query": "email=nobody@example.com^ORactive=true^active=true"},
    )
    assert len(reply.json()["result"]) > 1


async def test_unusual_but_valid_addresses_are_found(client):
    for email, user_name in [
        ("jpk@bespoken.io", "jpk"),
        ("john_smith@example.com", "john_smith"),
        ("jane-doe@example.co.uk", "jane-doe"),
    ]:
        assert [u.user_name for u in await client.find_users_by_email(email)] == [user_name]


# -- incidents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spoken", "urgency", "impact", "priority", "word"),
    [
        ("high", "1", "2", "2", "High"),
        ("Medium", "2", "2", "3", "Moderate"),
        ("LOW", "3", "2", "4", "Low"),
    ],
)
async def test_create_incident_maps_priority_and_sets_caller(
    client, servicenow_emulator, spoken, urgency, impact, priority, word
):
    incident = await client.create_incident(
        short_description="VPN drops",
        description="The VPN drops every few minutes since Monday.",
        caller_sys_id=ABRAHAM_LINCOLN_SYS_ID,
        priority=spoken,
    )
    assert incident.number == "INC0010001"
    assert (incident.state, incident.priority, incident.active) == ("New", word, True)
    assert incident.opened_at.tzinfo is not None
    assert abs((datetime.now(timezone.utc) - incident.opened_at).total_seconds()) < 60
    record = servicenow_emulator.api("GET", f"/table/incident/{incident.sys_id}").json()["result"]
    assert record["caller_id"]["value"] == ABRAHAM_LINCOLN_SYS_ID
    assert record["description"] == "The VPN drops every few minutes since Monday."
    assert (record["urgency"], record["impact"], record["priority"]) == (urgency, impact, priority)


async def test_create_incident_without_caller_leaves_caller_empty(client, servicenow_emulator):
    incident = await client.create_incident(
        short_description="x", description="y", caller_sys_id=None, priority="low"
    )
    record = servicenow_emulator.api("GET", f"/table/incident/{incident.sys_id}").json()["result"]
    assert record["caller_id"] == ""


async def test_create_incident_refuses_unknown_priority_and_bad_caller(client):
    with pytest.raises(ValueError):
        await client.create_incident(
            short_description="x", description="y", caller_sys_id=None, priority="urgent"
        )
    with pytest.raises(ValueError):
        await client.create_incident(
            short_description="x", description="y", caller_sys_id="abc^ORx=1", priority="low"
        )


async def test_incidents_are_listed_active_first_then_newest_first(client):
    found = await client.incidents_for_callers([ABRAHAM_LINCOLN_SYS_ID, ABEL_SYS_ID], limit=10)
    assert [i.number for i in found] == [
        "INC0000054",
        "INC0000051",
        "INC0000050",
        "INC0000053",
        "INC0000052",
        "INC0000055",
    ]
    assert [i.state for i in found] == [
        "New",
        "New",
        "In Progress",
        "On Hold",
        "Resolved",
        "Closed",
    ]
    assert found[0].priority == "High"
    assert [i.active for i in found] == [True, True, True, True, False, False]
    assert found[1].opened_at == datetime(2025, 2, 3, 8, 30, tzinfo=timezone.utc)


async def test_incident_list_is_limited(client):
    found = await client.incidents_for_callers([ABRAHAM_LINCOLN_SYS_ID], limit=2)
    assert [i.number for i in found] == ["INC0000051", "INC0000050"]


async def test_no_callers_means_no_incidents(client):
    assert await client.incidents_for_callers([]) == []


async def test_get_incident_by_number(client):
    incident = await client.get_incident("inc0000052")
    assert isinstance(incident, Incident)
    assert (incident.number, incident.state, incident.active) == ("INC0000052", "Resolved", False)
    assert (await client.get_incident("52")).number == "INC0000052"
    assert await client.get_incident("INC9999999") is None
    assert await client.get_incident("INC0000052^ORnumberISNOTEMPTY") is None


async def test_work_note_is_visible_on_the_incident(client, servicenow_emulator):
    incident = await client.get_incident("INC0000050")
    await client.add_work_note(incident.sys_id, "Caller phoned the voice line again.")
    shown = servicenow_emulator.api(
        "GET",
        f"/table/incident/{incident.sys_id}",
        params={"sysparm_display_value": "true", "sysparm_fields": "work_notes"},
    ).json()["result"]
    assert "Caller phoned the voice line again." in shown["work_notes"]


async def test_work_note_on_unknown_incident_is_rejected_404(client):
    with pytest.raises(ServiceNowRejected) as caught:
        await client.add_work_note("0" * 32, "note")
    assert caught.value.status == 404
    assert caught.value.api_message == "No Record found"


async def test_calls_do_not_leak_parameters_into_each_other(client):
    await client.incidents_for_callers([ABRAHAM_LINCOLN_SYS_ID])
    incident = await client.create_incident(
        short_description="x", description="y", caller_sys_id=None, priority="high"
    )
    assert incident.number == "INC0010001"
    assert len(await client.find_users_by_email("abel.tuter@example.com")) == 1


# -- failures -----------------------------------------------------------------------------------


async def test_slow_instance_beyond_timeout_is_unavailable_quickly(servicenow_emulator):
    settings = dataclasses.replace(servicenow_emulator.settings, timeout_seconds=0.5)
    servicenow_emulator.set_fault("slow", delay_seconds=60, count=1)
    started = time.monotonic()
    with pytest.raises(ServiceNowUnavailable):
        await ServiceNowClient(settings).find_users_by_email("abel.tuter@example.com")
    # Orders of magnitude apart: the 0.5 s timeout, this bound, the 60 s answer.
    assert time.monotonic() - started < 20


async def test_waiting_for_servicenow_does_not_block_the_event_loop(client, servicenow_emulator):
    servicenow_emulator.set_fault("slow", delay_seconds=1.0, count=1)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        await client.find_users_by_email("abel.tuter@example.com")
    finally:
        ticker.cancel()
    # About 20 ticks when the loop is free; a blocked loop ticks once at most.
    assert ticks >= 3


async def test_rate_limit_is_unavailable_with_retry_after(client, servicenow_emulator):
    servicenow_emulator.set_fault("rate_limit", retry_after_seconds=7)
    with pytest.raises(ServiceNowUnavailable) as caught:
        await client.get_incident("INC0000050")
    assert caught.value.status == 429
    assert caught.value.retry_after == 7


async def test_server_error_is_unavailable(client, servicenow_emulator):
    servicenow_emulator.set_fault("server_error")
    with pytest.raises(ServiceNowUnavailable) as caught:
        await client.incidents_for_callers([ABRAHAM_LINCOLN_SYS_ID])
    assert caught.value.status == 500


async def test_hibernating_html_page_is_unavailable(client, servicenow_emulator):
    servicenow_emulator.set_fault("hibernating")
    with pytest.raises(ServiceNowUnavailable, match="not JSON"):
        await client.create_incident(
            short_description="x", description="y", caller_sys_id=None, priority="low"
        )


async def test_wrong_password_is_rejected_401_without_leaking_it(servicenow_emulator):
    settings = dataclasses.replace(servicenow_emulator.settings, password="s3cret-wrong")
    with pytest.raises(ServiceNowRejected) as caught:
        await ServiceNowClient(settings).find_users_by_email("abel.tuter@example.com")
    assert caught.value.status == 401
    assert caught.value.api_message == "User Not Authenticated"
    assert "s3cret-wrong" not in str(caught.value)
    assert "s3cret-wrong" not in repr(settings)


async def test_connection_refused_is_unavailable(servicenow_emulator):
    settings = dataclasses.replace(servicenow_emulator.settings, host=f"127.0.0.1:{free_port()}")
    with pytest.raises(ServiceNowUnavailable) as caught:
        await ServiceNowClient(settings).add_work_note("0" * 32, "note")
    assert isinstance(caught.value, ServiceNowError)
    assert caught.value.status is None


async def test_unexpected_pysnow_answer_is_unavailable(monkeypatch):
    class BrokenResource:
        def get(self, **_: object) -> None:
            raise pysnow.exceptions.MissingResult("The expected `result` key was missing")

    monkeypatch.setattr(pysnow.Client, "resource", lambda self, **_: BrokenResource())
    settings = ServiceNowSettings("127.0.0.1:9", None, "admin", "admin", False, 1.0)
    with pytest.raises(ServiceNowUnavailable, match="unexpected answer"):
        await ServiceNowClient(settings).get_incident("INC0000050")


async def test_an_incident_is_found_again_by_its_correlation_id(client: ServiceNowClient) -> None:
    created = await client.create_incident(
        short_description="VPN problem: drops",
        description="drops",
        caller_sys_id=None,
        priority="high",
        correlation_id="CA0123:ticket:1",
    )
    found = await client.find_incident_by_correlation("CA0123:ticket:1")
    assert found is not None and found.number == created.number
    assert await client.find_incident_by_correlation("CA0123:ticket:2") is None


async def test_a_create_answered_never_may_have_been_committed(servicenow_emulator) -> None:
    servicenow_emulator.set_fault("drop_after_commit", count=1)
    with pytest.raises(ServiceNowUnavailable) as raised:
        await ServiceNowClient(servicenow_emulator.settings).create_incident(
            short_description="x", description="x", caller_sys_id=None, priority="low"
        )
    assert raised.value.maybe_committed
