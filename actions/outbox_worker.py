"""Files the ticket requests the caller's turn could not: after outages and crashes.

Runs inside the action server (``python -m actions.server``). Every second it
claims the requests that are due, each under a lease, and delivers them; a
request is retried with backoff (and ServiceNow's ``Retry-After``) until it
exists exactly once.
"""

from __future__ import annotations

import asyncio
import logging

from actions.ticket_delivery import deliver
from servicenow.client import ServiceNowClient
from settings import TicketSettings
from stores.outbox import Outbox

logger = logging.getLogger(__name__)
LEASE_SECONDS = 60.0


async def deliver_due(
    outbox: Outbox, servicenow: ServiceNowClient, settle_seconds: float = 30.0
) -> int:
    """One pass over the due requests; returns how many were filed."""
    filed = 0
    for key in await outbox.due():
        if not await outbox.claim(key, LEASE_SECONDS, due_only=True):
            continue  # another worker has it
        request = await outbox.get(key)
        if request is None:
            continue
        result = await deliver(outbox, servicenow, request, settle_seconds)
        filed += result.incident is not None
    return filed


async def run_worker(
    outbox: Outbox, servicenow: ServiceNowClient, settings: TicketSettings
) -> None:
    """Runs until cancelled; a failed pass is logged and the next one comes anyway."""
    while True:
        try:
            await deliver_due(outbox, servicenow, settings.settle_seconds)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("ticket outbox pass failed")
        await asyncio.sleep(settings.worker_interval_seconds)
