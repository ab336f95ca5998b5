"""The facts Twilio sends with every request of a call, read and checked once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanic.request import Request

from telephony.ids import is_call_sid


@dataclass
class CallFacts:
    """The facts Twilio sends with every request of a call."""

    sid: str
    caller: str
    form: dict[str, str] = field(default_factory=dict)

    @property
    def metadata(self) -> dict[str, str]:
        return {"call_sid": self.sid, "from": self.caller}


class BadRequest(ValueError):
    """A signed request that still lacks what every Twilio request has."""


def read_call(request: Request) -> CallFacts:
    """The call a (signature-checked) request belongs to; BadRequest without one."""
    form = {key: request.form.get(key) or "" for key in request.form}
    sid = form.get("CallSid", "")
    if not is_call_sid(sid):
        raise BadRequest("CallSid missing or malformed")
    return CallFacts(sid=sid, caller=form.get("From", ""), form=form)
