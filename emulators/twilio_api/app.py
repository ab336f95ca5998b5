"""A Twilio REST API emulator that also plays the phone network (``network.py``).

REST, under ``/2010-04-01/Accounts/<AccountSid>`` with basic auth
(AccountSid:AuthToken): the subset the product uses, create a call (``To``,
``From``, ``Url`` or ``Twiml``, ``StatusCallback``, ``StatusCallbackEvent``,
``Timeout``) and move a live one (``Url`` or ``Twiml``); errors are Twilio's
JSON ``{"code", "message", "more_info", "status"}``. Faults hit the REST API
only: ``unauthorized`` (401, 20003), ``server_error`` (500, 20500), ``slow``
(wait ``delay_seconds``, then answer).

``/_emulator`` admin routes need no auth: health, faults, reset; ``GET calls``
and ``calls/{sid}`` (with what only the emulator knows: what a phone heard, keys
pressed, redirects, its conference, callbacks sent); ``POST agents`` (how the
phone at ``number``, ``*`` for every other, answers: accept, decline, silent,
busy, no-answer or manual); ``POST calls/{sid}/answer`` decides for a ringing
``manual`` phone, ``calls/{sid}/hangup`` hangs up. A caller dials in with
``POST calls`` (``url``: the application's voice webhook; without it the leg
only waits until the REST API moves it); its driver plays the caller through
``POST calls/{sid}/caller``: ``listen`` (wait for the next ``<Gather>``, the end
of the call, or a conference), ``answer`` (its ``params``, e.g. ``SpeechResult``,
go to the waiting ``<Gather>``; none is silence), ``hold`` (wait in the
conference for an agent), ``retry`` (Twilio sends the caller's last answer
again), each answered with what the caller heard since what the driver has
``seen``. ``POST calls/{sid}/repeat`` sends that answer again and returns the
reply without following it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import asdict
from email.utils import format_datetime
from urllib.parse import urlsplit

from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from emulators.common import Fault, Faults, add_common_routes, credentials_match, wait_until
from settings.tooling import AGENT_BEHAVIOURS as BEHAVIOURS
from settings.tooling import TwilioEmulatorSettings

from .calls import AgentSetting, Exchange, Leg
from .network import API_VERSION, Network

logger = logging.getLogger("emulators.twilio_api")

API = f"/{API_VERSION}/Accounts/<account_sid>/Calls"
MODES = ("none", "unauthorized", "server_error", "slow")
_ADDRESS = re.compile(r"^(\+?[0-9]{3,15}|client:[A-Za-z0-9_.\-]+|sip:\S+)$")
# What the admin views add to a call's REST JSON.
ADMIN_FIELDS = ("awaiting_answer", "heard", "digits", "documents", "conference",
                "conferences_joined", "redirects", "status_callback", "status_callback_events",
                "callbacks", "errors", "timeout")  # fmt: skip


class ApiError(ValueError):
    """A request the API refuses (HTTP 400), with Twilio's error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def error(status: int, code: int, message: str, **headers: str) -> HTTPResponse:
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    body = {"code": code, "message": message, "more_info": more_info, "status": status}
    return response.json(body, status=status, headers=headers or None)


def not_found(path: str) -> HTTPResponse:
    return error(404, 20404, f"The requested resource {path} was not found")


def refused(message: str, status: int = 400) -> HTTPResponse:
    """An admin request the emulator refuses."""
    return response.json({"error": message}, status=status)


DATES = ("date_created", "start_time", "end_time")


def call_json(call: Leg) -> dict[str, object]:
    """A call as the API shows it: snake_case keys, RFC 2822 dates, a ``uri`` from the host."""

    def date(moment: object) -> str | None:
        return format_datetime(moment) if moment is not None else None  # type: ignore[arg-type]

    return {
        "sid": call.sid,
        "account_sid": call.account_sid,
        "to": call.to,
        "from": call.from_,
        "status": call.status,
        "direction": call.direction,
        **{name: date(getattr(call, name)) for name in DATES},
        "duration": None if call.duration is None else str(call.duration),
        "api_version": API_VERSION,
        "uri": f"/{API_VERSION}/Accounts/{call.account_sid}/Calls/{call.sid}.json",
    }


def admin_call(call: Leg) -> dict[str, object]:
    return {**call_json(call), **{name: getattr(call, name) for name in ADMIN_FIELDS}}


def _url(form: Mapping[str, str], name: str) -> str | None:
    value = form.get(name) or None
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ApiError(21205, f"{name} is not a valid URL: {value}")
    return value


def _twiml(form: Mapping[str, str]) -> str | None:
    value = form.get("Twiml") or None
    try:
        _ = value and ET.fromstring(value)  # noqa: S314 - a document a client sent us
    except ET.ParseError:
        raise ApiError(21200, "Twiml is not valid XML") from None
    return value


def create_app(
    config: TwilioEmulatorSettings, *, fault: Fault | None = None, name: str = "twilio_emulator"
) -> Sanic:
    """The emulator app for ``config``'s account."""
    if not config.auth_token:
        raise ValueError("the emulator needs an auth token (TWILIO_AUTH_TOKEN)")
    app = Sanic(name, dumps=json.dumps)  # plain JSON as Twilio writes it: no escaped slashes
    board = Exchange(config.account_sid, AgentSetting(config.agent_behaviour, config.ring_seconds))
    network = Network(board, config.auth_token, config.time_scale)
    faults = Faults(MODES, fault)
    resets = [0]  # bumped by /_emulator/reset: requests held by a slow fault are then dropped
    add_common_routes(app, faults, logger, account_sid=config.account_sid)

    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        if not request.path.startswith(f"/{API_VERSION}/"):
            return None
        active = faults.take()
        mode = active.mode if active else "none"
        if mode == "slow":
            generation = resets[0]
            await asyncio.sleep(active.delay_seconds)
            if generation != resets[0]:
                return error(503, 20503, "Service unavailable: the emulator was reset")
        elif mode == "server_error":
            return error(500, 20500, "An internal server error has occurred")
        header = request.headers.get("authorization")
        if mode == "unauthorized" or not credentials_match(
            header, config.account_sid, config.auth_token
        ):
            realm = {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            return error(401, 20003, "Authenticate", **realm)
        if request.match_info.get("account_sid") != config.account_sid:
            return not_found(request.path)
        return None

    @app.exception(NotFound)
    async def unknown(request: Request, exception: Exception) -> HTTPResponse:
        return not_found(request.path)

    @app.post(f"{API}.json")
    async def create_call(request: Request, account_sid: str) -> HTTPResponse:
        form = request.form
        to, from_ = (form.get("To") or "").strip(), (form.get("From") or "").strip()
        try:
            if not to or not from_:
                raise ApiError(21201 if not to else 21213, "'To' and 'From' are required")
            for number, code in ((to, 21217), (from_, 21212)):
                if not _ADDRESS.match(number):
                    raise ApiError(code, f"The number {number} is not a valid phone number.")
            url, twiml, callback = _url(form, "Url"), _twiml(form), _url(form, "StatusCallback")
            if url is None and twiml is None:
                raise ApiError(21205, "Either Url or Twiml is required")
            timeout = max(1, min(int(form.get("Timeout") or 60), 600))
        except ApiError as problem:
            return error(400, problem.code, str(problem))
        except ValueError:
            return error(400, 21200, "Timeout must be a whole number of seconds")
        events = [e for value in form.getlist("StatusCallbackEvent", []) for e in value.split()]
        call = board.place(
            to,
            from_,
            url=url,
            twiml=twiml,
            status_callback=callback,
            status_callback_events=tuple(dict.fromkeys(events)) or ("completed",),
            timeout=timeout,
        )
        body = call_json(call)  # as created: queued, before the network touches it
        network.dial(call)
        return response.json(body, status=201)

    @app.post(f"{API}/<sid>")
    async def update_call(request: Request, account_sid: str, sid: str) -> HTTPResponse:
        call = board.calls.get(sid.removesuffix(".json"))
        if call is None:
            return not_found(request.path)
        try:
            url, twiml = _url(request.form, "Url"), _twiml(request.form)
        except ApiError as problem:
            return error(400, problem.code, str(problem))
        if url is None and twiml is None:
            return error(400, 21201, "Url or Twiml is required (the emulator only moves calls)")
        if call.status != "in-progress":
            return error(400, 21220, "Call is not in-progress. Cannot redirect.")
        network.redirect(call, url, twiml)
        return response.json(call_json(call))

    def leg(sid: str) -> Leg:
        call = board.calls.get(sid)
        if call is None:
            raise NotFound(f"no call {sid}")
        return call

    def agent_joined(call: Leg) -> bool:
        conference = board.conferences.get(call.conference or "")
        return (
            conference is not None
            and conference.status == "in-progress"
            and any(sid != call.sid for sid in conference.participants)
        )

    @app.get("/_emulator/calls")
    async def calls(request: Request) -> HTTPResponse:
        return response.json([admin_call(call) for call in board.calls.values()])

    @app.get("/_emulator/calls/<sid>")
    async def one_call(request: Request, sid: str) -> HTTPResponse:
        return response.json(admin_call(leg(sid)))

    @app.post("/_emulator/calls")
    async def dial_in(request: Request) -> HTTPResponse:
        body = request.json or {}
        sid, from_, to = body.get("sid"), body.get("from"), body.get("to")
        if not all(isinstance(value, str) and value for value in (sid, from_, to)):
            return refused("sid, from and to are required strings")
        if sid in board.calls:
            return refused(f"{sid} is already a call", 409)
        call = board.register_inbound(sid, from_, to, status_callback=body.get("status_callback"))
        if body.get("url"):
            network.start_inbound(call, body["url"])
        return response.json(admin_call(call), status=201)

    @app.post("/_emulator/calls/<sid>/caller")
    async def caller(request: Request, sid: str) -> HTTPResponse:
        call = leg(sid)
        body = request.json or {}
        action, params = body.get("action"), body.get("params") or {}
        timeout = float(body.get("timeout", 30))
        heard, twiml, seconds = (int(n) for n in body.get("seen") or [0, 0, 0])
        if action not in ("listen", "answer", "hold", "retry") or call.direction != "inbound":
            return refused("action is listen, answer, hold or retry, on an inbound call")
        if action == "answer":
            if call.listening is None:
                return refused(f"{sid} is not listening (on hold, or over)", 409)
            call.listening = None
            call.inputs.put_nowait({str(k): str(v) for k, v in params.items()})
        elif action == "retry":
            try:
                network.retry(call)
            except ValueError as problem:
                return refused(str(problem), 409)
        ready = (lambda: agent_joined(call)) if action == "hold" else (lambda: call.conference)
        if not await wait_until(
            lambda: call.listening is not None or call.ended or ready(), call.progress, timeout
        ):
            return refused(f"{sid}: nothing happened within {timeout:g} s", 408)
        return response.json(
            {
                "heard": call.heard[heard:],
                "twiml": call.replies[twiml:],
                "request_seconds": call.request_seconds[seconds:],
                "server_seconds": call.server_seconds[seconds:],
                "gather": call.listening,
                "hung_up": call.ended,
                "conference": call.conference,
                "agent_joined": agent_joined(call),
                "seen": [len(call.heard), len(call.replies), len(call.request_seconds)],
            }
        )

    @app.post("/_emulator/calls/<sid>/repeat")
    async def repeat(request: Request, sid: str) -> HTTPResponse:
        try:
            return response.text(await network.repeat(leg(sid)))
        except ValueError as problem:
            return refused(str(problem), 409)

    @app.post("/_emulator/calls/<sid>/hangup")
    async def hang_up(request: Request, sid: str) -> HTTPResponse:
        call = leg(sid)
        network.finish(call, "completed" if call.status == "in-progress" else "canceled")
        return response.json(admin_call(call))

    @app.post("/_emulator/calls/<sid>/answer")
    async def answer(request: Request, sid: str) -> HTTPResponse:
        call = leg(sid)
        behaviour = (request.json or {}).get("behaviour", "accept")
        if behaviour not in BEHAVIOURS[:-1]:
            return refused(f"behaviour must be one of {', '.join(BEHAVIOURS[:-1])}")
        if not call.awaiting_answer:
            return refused(f"{sid} is not ringing a manual phone", 409)
        call.decision = behaviour
        call.decided.set()
        return response.json(admin_call(call))

    @app.post("/_emulator/agents")
    async def set_agent(request: Request) -> HTTPResponse:
        body = request.json or {}
        number, behaviour = str(body.get("number") or ""), body.get("behaviour", "accept")
        setting = AgentSetting(behaviour, float(body.get("ring_seconds", config.ring_seconds)))
        if not number or behaviour not in BEHAVIOURS or setting.ring_seconds < 0:
            return refused(f"number ('*': the default), behaviour one of {', '.join(BEHAVIOURS)}")
        if number == "*":
            board.default_agent = setting
        else:
            board.agents[number] = setting
        return response.json({"number": number, **asdict(setting)})

    @app.post("/_emulator/reset")
    async def reset(request: Request) -> HTTPResponse:
        resets[0] += 1
        await network.stop()
        board.reset()
        faults.fault = Fault()
        return response.json({"status": "reset"})

    @app.before_server_stop
    async def shut_down(app: Sanic, loop: object) -> None:
        await network.stop(closing=True)

    return app
