"""HTTP details of the REST API: error JSON, basic auth, form parameters and their rules.

Requests are form-encoded with capitalised names (``To``, ``From``, ``Url``,
``StatusCallbackEvent`` repeated once per event); errors are Twilio's JSON
``{"code", "message", "more_info", "status"}``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sanic import response
from sanic.response import HTTPResponse

CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
MAX_TWIML_CHARS = 4000
MAX_TIMEOUT_SECONDS = 600
_ADDRESS = re.compile(r"^(\+?[0-9]{3,15}|client:[A-Za-z0-9_.\-]+|sip:\S+)$")


class ApiError(Exception):
    """A request the API refuses, with Twilio's status and error code."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error(status: int, code: int, message: str, **headers: str) -> HTTPResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return response.json(body, status=status, headers=headers or None)


def api_error(problem: ApiError) -> HTTPResponse:
    return error(problem.status, problem.code, problem.message)


def unauthenticated() -> HTTPResponse:
    return error(401, 20003, "Authenticate", **{"WWW-Authenticate": 'Basic realm="Twilio API"'})


def not_found(path: str) -> HTTPResponse:
    return error(404, 20404, f"The requested resource {path} was not found")


def form(body: bytes) -> dict[str, list[str]]:
    """The form-encoded parameters of a request body (repeated names kept in order)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, 21200, "The request body is not UTF-8 form data") from None
    return parse_qs(text, keep_blank_values=True)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _url(params: dict[str, list[str]], name: str) -> str | None:
    value = _one(params, name)
    if value is None or value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(400, 21205, f"{name} is not a valid URL: {value}")
    return value


def _method(params: dict[str, list[str]], name: str) -> str:
    value = (_one(params, name) or "POST").upper()
    if value not in ("GET", "POST"):
        raise ApiError(400, 21200, f"{name} must be GET or POST")
    return value


def _twiml(params: dict[str, list[str]]) -> str | None:
    value = _one(params, "Twiml")
    if value is None or value == "":
        return None
    if len(value) > MAX_TWIML_CHARS:
        raise ApiError(400, 21200, f"Twiml must be at most {MAX_TWIML_CHARS} characters")
    try:
        ET.fromstring(value)  # noqa: S314 - a size-capped document a client sent us
    except ET.ParseError:
        raise ApiError(400, 21200, "Twiml is not valid XML") from None
    return value


@dataclass(frozen=True)
class CallRequest:
    """The parameters of ``POST .../Calls.json`` the emulator honours."""

    to: str
    from_: str
    url: str | None
    method: str
    twiml: str | None
    status_callback: str | None
    status_callback_method: str
    status_callback_events: tuple[str, ...]
    timeout: int


def parse_create(params: dict[str, list[str]]) -> CallRequest:
    to = (_one(params, "To") or "").strip()
    from_ = (_one(params, "From") or "").strip()
    if not to:
        raise ApiError(400, 21201, "No 'To' number is specified")
    if not from_:
        raise ApiError(400, 21213, "No 'From' number is specified")
    if not _ADDRESS.match(to):
        raise ApiError(400, 21217, f"The 'To' number {to} is not a valid phone number.")
    if not _ADDRESS.match(from_):
        raise ApiError(400, 21212, f"The 'From' number {from_} is not a valid phone number.")
    url, twiml = _url(params, "Url"), _twiml(params)
    if url is None and twiml is None:
        raise ApiError(400, 21205, "Either Url or Twiml is required")
    if url is not None and twiml is not None:
        raise ApiError(400, 21200, "Url and Twiml are mutually exclusive")
    events: list[str] = []
    for value in params.get("StatusCallbackEvent", []):
        for event in value.split():
            if event not in CALL_EVENTS:
                raise ApiError(
                    400, 21200, f"StatusCallbackEvent must be among {', '.join(CALL_EVENTS)}"
                )
            events.append(event)
    raw_timeout = _one(params, "Timeout")
    try:
        timeout = int(raw_timeout) if raw_timeout else 60
    except ValueError:
        raise ApiError(400, 21200, "Timeout must be a whole number of seconds") from None
    if timeout < 1:
        raise ApiError(400, 21200, "Timeout must be at least 1 second")
    return CallRequest(
        to=to,
        from_=from_,
        url=url,
        method=_method(params, "Method"),
        twiml=twiml,
        status_callback=_url(params, "StatusCallback"),
        status_callback_method=_method(params, "StatusCallbackMethod"),
        status_callback_events=tuple(dict.fromkeys(events)) or ("completed",),
        timeout=min(timeout, MAX_TIMEOUT_SECONDS),
    )


@dataclass(frozen=True)
class CallUpdate:
    """The parameters of ``POST .../Calls/{sid}.json`` the emulator honours."""

    url: str | None
    method: str
    twiml: str | None


def parse_update(params: dict[str, list[str]]) -> CallUpdate:
    url, twiml = _url(params, "Url"), _twiml(params)
    if url is not None and twiml is not None:
        raise ApiError(400, 21200, "Url and Twiml are mutually exclusive")
    if url is None and twiml is None:
        raise ApiError(400, 21201, "Url or Twiml is required (the emulator only moves calls)")
    return CallUpdate(url=url, method=_method(params, "Method"), twiml=twiml)
