"""Twilio-shaped JSON for calls, and the emulator's own views of calls and conferences.

Keys are the snake_case names the 2010-04-01 API answers with; dates are RFC
2822 in GMT; ``uri`` values are relative to the API host. The ``admin_*``
views add what only the emulator knows (what an agent heard, keys pressed,
redirects, callbacks sent) for ``/_emulator`` routes.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime

from .calls import Conference, Leg

API_VERSION = "2010-04-01"


def rfc2822(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment is not None else None


def account_path(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


def call_json(call: Leg) -> dict[str, object]:
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


# -- emulator-only views --------------------------------------------------------


def admin_call(call: Leg) -> dict[str, object]:
    return {
        **call_json(call),
        "behaviour": call.behaviour,
        "awaiting_answer": call.awaiting_answer,
        "heard": list(call.heard),
        "digits": list(call.digits),
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
        "sid": conference.sid,
        "friendly_name": conference.friendly_name,
        "status": conference.status,
        "reason_conference_ended": conference.reason_conference_ended,
        "call_sid_ending_conference": conference.call_sid_ending_conference,
        "participants": [
            {
                "call_sid": p.call_sid,
                "start_conference_on_enter": p.start_conference_on_enter,
                "end_conference_on_exit": p.end_conference_on_exit,
            }
            for p in conference.participants.values()
        ],
        "history": list(conference.history),
    }
