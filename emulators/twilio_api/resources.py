"""Twilio-shaped JSON for calls, conferences, participants and list pages.

Keys are the snake_case names the 2010-04-01 API answers with; dates are RFC
2822 in GMT; ``uri`` values are relative to the API host. The ``admin_*``
views add what only the emulator knows (what an agent heard, keys pressed,
redirects, callbacks sent) for ``/_emulator`` routes.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Callable, Mapping, Sequence
from urllib.parse import urlencode

from .calls import Call, Conference, Participant

API_VERSION = "2010-04-01"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def rfc2822(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment is not None else None


def account_path(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


def call_json(call: Call) -> dict[str, object]:
    base = f"{account_path(call.account_sid)}/Calls/{call.sid}"
    duration = call.duration
    return {
        "sid": call.sid,
        "date_created": rfc2822(call.date_created),
        "date_updated": rfc2822(call.date_updated),
        "parent_call_sid": None,
        "account_sid": call.account_sid,
        "to": call.to,
        "to_formatted": call.to,
        "from": call.from_,
        "from_formatted": call.from_,
        "phone_number_sid": None,
        "status": call.status,
        "start_time": rfc2822(call.start_time),
        "end_time": rfc2822(call.end_time),
        "duration": None if duration is None else str(duration),
        "price": None,
        "price_unit": "USD",
        "direction": call.direction,
        "answered_by": None,
        "api_version": API_VERSION,
        "forwarded_from": None,
        "group_sid": None,
        "caller_name": None,
        "queue_time": "0",
        "trunk_sid": None,
        "uri": f"{base}.json",
        "subresource_uris": {
            "notifications": f"{base}/Notifications.json",
            "recordings": f"{base}/Recordings.json",
            "events": f"{base}/Events.json",
        },
    }


def conference_json(conference: Conference) -> dict[str, object]:
    base = f"{account_path(conference.account_sid)}/Conferences/{conference.sid}"
    return {
        "account_sid": conference.account_sid,
        "date_created": rfc2822(conference.date_created),
        "date_updated": rfc2822(conference.date_updated),
        "api_version": API_VERSION,
        "friendly_name": conference.friendly_name,
        "region": "us1",
        "sid": conference.sid,
        "status": conference.status,
        "uri": f"{base}.json",
        "subresource_uris": {
            "participants": f"{base}/Participants.json",
            "recordings": f"{base}/Recordings.json",
        },
        "reason_conference_ended": conference.reason_conference_ended,
        "call_sid_ending_conference": conference.call_sid_ending_conference,
    }


def participant_json(conference: Conference, participant: Participant) -> dict[str, object]:
    base = f"{account_path(conference.account_sid)}/Conferences/{conference.sid}"
    return {
        "account_sid": conference.account_sid,
        "call_sid": participant.call_sid,
        "label": None,
        "call_sid_to_coach": None,
        "coaching": False,
        "conference_sid": conference.sid,
        "date_created": rfc2822(participant.date_created),
        "date_updated": rfc2822(participant.date_created),
        "end_conference_on_exit": participant.end_conference_on_exit,
        "muted": participant.muted,
        "hold": participant.hold,
        "start_conference_on_enter": participant.start_conference_on_enter,
        "status": "connected",
        "uri": f"{base}/Participants/{participant.call_sid}.json",
    }


def page_json(
    key: str,
    path: str,
    records: Sequence[object],
    render: Callable[[object], dict[str, object]],
    args: Mapping[str, str],
) -> dict[str, object]:
    """One page of a list, with Twilio's paging keys (``Page`` and ``PageSize``)."""
    page_size = _whole(args.get("PageSize"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = _whole(args.get("Page"), 0, 0, 10**6)
    start = page * page_size
    chunk = records[start : start + page_size]
    filters = {k: v for k, v in args.items() if k not in ("Page", "PageSize", "PageToken")}

    def uri(number: int) -> str:
        return f"{path}?{urlencode({**filters, 'PageSize': page_size, 'Page': number})}"

    return {
        key: [render(record) for record in chunk],
        "end": start + max(len(chunk) - 1, 0),
        "first_page_uri": uri(0),
        "next_page_uri": uri(page + 1) if start + page_size < len(records) else None,
        "page": page,
        "page_size": page_size,
        "previous_page_uri": uri(page - 1) if page > 0 else None,
        "start": start,
        "uri": uri(page),
    }


def _whole(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(raw) if raw else default
    except ValueError:
        return default
    return min(max(value, low), high)


# -- emulator-only views --------------------------------------------------------


def admin_call(call: Call) -> dict[str, object]:
    return {
        **call_json(call),
        "behaviour": call.behaviour,
        "awaiting_answer": call.awaiting_answer,
        "heard": list(call.heard),
        "digits": list(call.digits),
        "played": list(call.played),
        "documents": list(call.documents),
        "conference": call.conference,
        "conferences_joined": list(call.conferences_joined),
        "redirects": list(call.redirects),
        "listening": call.listening,
        "status_callback": call.status_callback,
        "status_callback_events": list(call.status_callback_events),
        "callbacks": list(call.callbacks),
        "errors": list(call.errors),
        "timeout": call.timeout,
    }


def admin_conference(conference: Conference) -> dict[str, object]:
    return {
        **conference_json(conference),
        "participants": [participant_json(conference, p) for p in conference.participants.values()],
        "history": list(conference.history),
    }
