"""Agents' hours decide whether a transfer is attempted."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handoff.business_hours import BusinessHoursError, describe, is_open

NY = ZoneInfo("America/New_York")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in New York; day 23 of November 2026 is a Monday."""
    return datetime(2026, 11, day, hour, minute, tzinfo=NY)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(23, 8), True),
        (at(23, 17, 59), True),
        (at(23, 18), False),
        (at(23, 7, 59), False),
        (at(28, 10), False),  # Saturday
        (at(27, 12), True),  # Friday
    ],
)
def test_weekday_office_hours(moment: datetime, expected: bool) -> None:
    assert is_open("Mon-Fri 08:00-18:00", "America/New_York", moment) is expected


def test_hours_are_read_in_the_desks_time_zone() -> None:
    utc_noon = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("UTC"))  # 7:00 in New York
    assert not is_open("Mon-Fri 08:00-18:00", "America/New_York", utc_noon)
    assert is_open("Mon-Fri 08:00-18:00", "Europe/London", utc_noon)


def test_several_rules_and_always() -> None:
    assert is_open("Mon-Fri 08:00-18:00, Sat 09:00-12:00", "America/New_York", at(28, 10))
    assert is_open("always", "America/New_York", at(29, 3))
    assert not is_open("never", "America/New_York", at(23, 10))


def test_a_spec_that_cannot_be_read_names_the_setting() -> None:
    with pytest.raises(BusinessHoursError, match="HANDOFF_BUSINESS_HOURS"):
        is_open("weekdays 9 to 5", "America/New_York", at(23, 10))


@pytest.mark.parametrize(
    ("spec", "spoken"),
    [
        ("Mon-Fri 08:00-18:00", "Monday to Friday, 8 AM to 6 PM"),
        (
            "Mon-Fri 08:30-17:00, Sat 09:00-12:00",
            "Monday to Friday, 8:30 AM to 5 PM; Saturday, 9 AM to 12 PM",
        ),
        ("always", "around the clock"),
        ("never", ""),
    ],
)
def test_hours_are_said_the_way_a_caller_understands(spec: str, spoken: str) -> None:
    assert describe(spec) == spoken
