"""Whether agents are on duty now, from a spec like ``Mon-Fri 08:00-18:00``."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RULE = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)


class BusinessHoursError(ValueError):
    """The spec cannot be read; the message says which part."""


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise BusinessHoursError(f"not a time of day: {text!r}")
    return time(hours, minutes)


def parse(spec: str) -> list[tuple[set[int], time, time]]:
    """Rules of ``"always"``, ``"never"`` or ``"Mon-Fri 08:00-18:00, Sat 09:00-12:00"``."""
    text = spec.strip().lower()
    if text in ("", "always", "24/7"):
        return [(set(range(7)), time.min, time.max)]
    if text in ("never", "closed"):
        return []
    rules = []
    for part in (p.strip() for p in text.split(",")):
        match = _RULE.match(part)
        if not match or match["first"] not in DAYS or (match["last"] or "mon") not in DAYS:
            raise BusinessHoursError(
                f"HANDOFF_BUSINESS_HOURS: cannot read {part!r} (use e.g. 'Mon-Fri 08:00-18:00')"
            )
        first = DAYS.index(match["first"])
        last = DAYS.index(match["last"] or match["first"])
        days = {day % 7 for day in range(first, last + 1 if last >= first else last + 8)}
        rules.append((days, _clock(match["start"]), _clock(match["end"])))
    return rules


def is_open(spec: str, timezone: str, now: datetime | None = None) -> bool:
    """True when ``now`` (default: the current time) falls inside the spec."""
    local = (now or datetime.now(tz=ZoneInfo("UTC"))).astimezone(ZoneInfo(timezone))
    clock = local.time().replace(tzinfo=None)
    return any(local.weekday() in days and start <= clock < end for days, start, end in parse(spec))


def _spoken_clock(moment: time) -> str:
    if moment == time.max:
        return "midnight"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def describe(spec: str) -> str:
    """The hours as a caller hears them: "Monday to Friday, 8 AM to 6 PM"."""
    parts = []
    for days, start, end in parse(spec):
        ordered = sorted(days)
        if len(ordered) == 7 and start == time.min and end == time.max:
            return "around the clock"
        first, last = DAY_NAMES[ordered[0]], DAY_NAMES[ordered[-1]]
        span = first if first == last else f"{first} to {last}"
        parts.append(f"{span}, {_spoken_clock(start)} to {_spoken_clock(end)}")
    return "; ".join(parts)
