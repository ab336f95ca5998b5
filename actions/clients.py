"""The one place actions get their clients and stores from.

Actions never read the environment or build clients themselves: they ask here,
and tests swap a client by pointing the settings at a local emulator.
"""

from __future__ import annotations

from functools import lru_cache

from servicenow.client import ServiceNowClient
from settings import (
    HandoffSettings,
    ServiceNowSettings,
    StoreSettings,
    TicketSettings,
    load_environment,
)
from settings.directory import DirectorySettings
from stores.database import open_database
from stores.outbox import Outbox


@lru_cache(maxsize=1)
def servicenow() -> ServiceNowClient:
    """The ServiceNow client configured from the environment (``SNOW_*``)."""
    load_environment()
    return ServiceNowClient(ServiceNowSettings.from_env())


@lru_cache(maxsize=1)
def outbox() -> Outbox:
    """The ticket outbox, in the tracker store's database (``TRACKER_STORE_URL``)."""
    load_environment()
    settings = StoreSettings.from_env()
    return Outbox(open_database(settings))


@lru_cache(maxsize=1)
def tickets() -> TicketSettings:
    """How ticket requests are delivered (``TICKET_*``)."""
    load_environment()
    return TicketSettings.from_env()


@lru_cache(maxsize=1)
def directory_settings() -> DirectorySettings:
    """Limits of directory matching for a caller (``DIRECTORY_*``)."""
    load_environment()
    return DirectorySettings.from_env()


def handoff() -> HandoffSettings:
    """Whether the caller can be handed to a person now (``HANDOFF_*``); read per call so
    business hours and agent numbers can change without a restart."""
    load_environment()
    return HandoffSettings.from_env()
