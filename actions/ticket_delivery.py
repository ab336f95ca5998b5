"""Delivers a confirmed ticket request to ServiceNow exactly once.

The request's key is the incident's ``correlation_id``. Before a retry, and
after any answer that leaves the outcome unknown (a timeout, a dropped
connection, a 5xx), ServiceNow is asked whether it already has an incident
with that key; only when it has none is one created. The action that took the
caller's "yes" and the delivery worker both deliver through here, and the
outbox's lease keeps them from doing it at the same time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from servicenow.client import (
    Incident,
    ServiceNowClient,
    ServiceNowError,
    ServiceNowRejected,
    ServiceNowUnavailable,
)
from stores.outbox import Outbox, TicketRequest

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30.0


@dataclass(frozen=True)
class Delivery:
    """What happened: filed (``incident``), kept for later, or refused for good."""

    incident: Incident | None = None
    rejected: bool = False

    @property
    def queued(self) -> bool:
        return self.incident is None and not self.rejected


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """Exponential from 2 s, capped; ServiceNow's ``Retry-After`` wins when longer."""
    delay = min(MAX_BACKOFF_SECONDS, 2.0 ** max(1, attempts))
    return max(delay, retry_after or 0.0)


async def _look_again(servicenow: ServiceNowClient, key: str) -> Incident | None:
    """The incident a write that went unanswered may have made; None if unknown."""
    try:
        return await servicenow.find_incident_by_correlation(key)
    except ServiceNowError:
        return None


async def deliver(
    outbox: Outbox,
    servicenow: ServiceNowClient,
    request: TicketRequest,
    settle_seconds: float = 30.0,
) -> Delivery:
    """Files ``request`` (already claimed by the caller of this function)."""
    key = request.correlation_id
    payload = request.payload
    try:
        if request.attempts > 1:  # an earlier attempt may have been committed
            found = await servicenow.find_incident_by_correlation(key)
            if found is not None:
                await outbox.filed(key, found.number)
                return Delivery(incident=found)
        try:
            incident = await servicenow.create_incident(
                short_description=payload["short_description"],
                description=payload["description"],
                caller_sys_id=payload.get("caller_sys_id"),
                priority=payload["priority"],
                correlation_id=key,
            )
        except ServiceNowUnavailable as error:
            found = await _look_again(servicenow, key) if error.maybe_committed else None
            if found is None:
                raise
            incident = found
    except ServiceNowRejected as error:
        logger.error("ServiceNow refused ticket request %s: %s", key, error)
        await outbox.rejected(key, str(error))
        return Delivery(rejected=True)
    except ServiceNowError as error:
        retry_after = getattr(error, "retry_after", None)
        delay = backoff_seconds(request.attempts, retry_after)
        if getattr(error, "maybe_committed", False):
            # ServiceNow may still be writing it: look again only once it settled.
            delay = max(delay, settle_seconds)
        logger.warning("ticket request %s kept for %.0f s: %s", key, delay, error)
        await outbox.retry_later(key, delay, str(error))
        return Delivery()
    await outbox.filed(key, incident.number)
    logger.info("ticket request %s filed as %s", key, incident.number)
    return Delivery(incident=incident)
