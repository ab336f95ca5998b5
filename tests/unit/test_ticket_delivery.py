"""Exactly one incident per confirmed request, whatever ServiceNow does."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from actions.outbox_worker import deliver_due
from actions.ticket_delivery import backoff_seconds, deliver
from servicenow.client import Incident, ServiceNowRejected, ServiceNowUnavailable
from stores.database import engine_for
from stores.outbox import FILED, PENDING, REJECTED, Outbox

PAYLOAD = {
    "short_description": "VPN problem: drops",
    "description": "drops every hour",
    "caller_sys_id": None,
    "priority": "high",
}


class FakeServiceNow:
    """Incidents by correlation_id; each create may commit and then fail to answer."""

    def __init__(self) -> None:
        self.incidents: dict[str, Incident] = {}
        self.creates = 0
        self.create_fault: Exception | None = None
        self.commit_before_fault = False
        self.lookup_fault: Exception | None = None

    async def find_incident_by_correlation(self, key: str) -> Incident | None:
        if self.lookup_fault is not None:
            raise self.lookup_fault
        return self.incidents.get(key)

    async def create_incident(self, *, correlation_id: str, **_: object) -> Incident:
        self.creates += 1
        if self.create_fault is None or self.commit_before_fault:
            number = f"INC{10000 + len(self.incidents):07d}"
            self.incidents[correlation_id] = Incident(
                "0" * 32, number, "x", "New", "High", datetime.now(timezone.utc), True
            )
        if self.create_fault is not None:
            raise self.create_fault
        return self.incidents[correlation_id]


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(engine_for(f"sqlite:///{tmp_path}/outbox.db"))


async def claimed(outbox: Outbox, key: str = "CA1:ticket:1"):
    await outbox.put(key, "CA1", PAYLOAD)
    assert await outbox.claim(key, 60)
    return await outbox.get(key)


async def test_a_healthy_servicenow_files_it_at_once(outbox: Outbox) -> None:
    servicenow = FakeServiceNow()
    result = await deliver(outbox, servicenow, await claimed(outbox))
    assert result.incident is not None
    stored = await outbox.get("CA1:ticket:1")
    assert (stored.state, stored.incident_number) == (FILED, result.incident.number)


async def test_the_same_request_twice_is_stored_once(outbox: Outbox) -> None:
    await outbox.put("CA1:ticket:1", "CA1", PAYLOAD)
    await outbox.put("CA1:ticket:1", "CA1", {**PAYLOAD, "priority": "low"})
    assert (await outbox.get("CA1:ticket:1")).payload["priority"] == "high"


async def test_a_write_that_went_unanswered_is_found_not_repeated(outbox: Outbox) -> None:
    servicenow = FakeServiceNow()
    servicenow.create_fault = ServiceNowUnavailable("no answer", maybe_committed=True)
    servicenow.commit_before_fault = True
    result = await deliver(outbox, servicenow, await claimed(outbox))
    assert result.incident is not None
    assert servicenow.creates == 1


async def test_unknown_outcome_waits_for_servicenow_to_settle_before_retrying(
    outbox: Outbox,
) -> None:
    servicenow = FakeServiceNow()
    servicenow.create_fault = ServiceNowUnavailable("timeout", maybe_committed=True)
    servicenow.lookup_fault = ServiceNowUnavailable("still down")
    result = await deliver(outbox, servicenow, await claimed(outbox))
    assert result.queued
    assert await outbox.due() == []  # not before the settle time (30 s)


async def test_a_retry_looks_up_first_and_never_creates_a_second(outbox: Outbox) -> None:
    servicenow = FakeServiceNow()
    servicenow.create_fault = ServiceNowUnavailable("down")  # refused: nothing written
    first = await deliver(outbox, servicenow, await claimed(outbox))
    assert first.queued
    servicenow.create_fault = None
    servicenow.incidents["CA1:ticket:1"] = Incident(
        "0" * 32, "INC0010042", "x", "New", "High", datetime.now(timezone.utc), True
    )  # as if another worker filed it meanwhile
    request = await outbox.get("CA1:ticket:1")
    await outbox.retry_later("CA1:ticket:1", 0.0, "try again now")
    assert await outbox.claim("CA1:ticket:1", 60)
    result = await deliver(outbox, servicenow, await outbox.get("CA1:ticket:1"))
    assert result.incident.number == "INC0010042"
    assert servicenow.creates == 1
    assert request.state == PENDING


async def test_a_refusal_is_final_and_never_retried(outbox: Outbox) -> None:
    servicenow = FakeServiceNow()
    servicenow.create_fault = ServiceNowRejected("bad request", status=400)
    result = await deliver(outbox, servicenow, await claimed(outbox))
    assert result.rejected
    assert (await outbox.get("CA1:ticket:1")).state == REJECTED
    assert await outbox.due() == []


async def test_the_worker_files_what_the_call_could_not(outbox: Outbox) -> None:
    servicenow = FakeServiceNow()
    for number in range(5):
        await outbox.put(f"CA{number}:ticket:1", f"CA{number}", PAYLOAD)
    assert await deliver_due(outbox, servicenow) == 5
    assert await deliver_due(outbox, servicenow) == 0
    assert servicenow.creates == 5


async def test_a_request_under_lease_is_left_to_its_holder(outbox: Outbox) -> None:
    await outbox.put("CA1:ticket:1", "CA1", PAYLOAD)
    assert await outbox.claim("CA1:ticket:1", 60)
    assert not await outbox.claim("CA1:ticket:1", 60)
    assert await deliver_due(outbox, FakeServiceNow()) == 0


@pytest.mark.parametrize(
    ("attempts", "retry_after", "delay"), [(1, None, 2), (3, None, 8), (9, None, 30), (1, 45, 45)]
)
def test_backoff_grows_and_honours_retry_after(
    attempts: int, retry_after: float | None, delay: float
) -> None:
    assert backoff_seconds(attempts, retry_after) == delay


async def test_a_request_stored_by_the_callers_turn_is_never_taken_by_the_worker_meanwhile(
    outbox: Outbox,
) -> None:
    request, claimed = await outbox.put_and_claim("CA1:ticket:1", "CA1", PAYLOAD, 30)
    assert claimed and request.attempts == 1
    assert await deliver_due(outbox, FakeServiceNow()) == 0
    again, claimed_again = await outbox.put_and_claim("CA1:ticket:1", "CA1", PAYLOAD, 30)
    assert not claimed_again and again.correlation_id == request.correlation_id
