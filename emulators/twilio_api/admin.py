"""The ``/_emulator`` admin routes: health, inspection, agents' phones, the caller leg the
driver plays, faults and reset. They need no auth and never see a fault.

The caller-side driver registers its inbound leg (``POST /_emulator/calls``),
says when it enters a conference (``POST /_emulator/conferences/{name}/participants``)
and hangs up (``POST /_emulator/calls/{sid}/hangup``); it polls
``GET /_emulator/calls/{sid}`` for a ``pending_redirect`` the REST API left and
consumes it with ``POST /_emulator/calls/{sid}/redirect_taken``.
"""

from __future__ import annotations

import json
import logging

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from . import faults
from .calls import AgentSetting, Switchboard
from .config import ANSWERS, BEHAVIOURS, EmulatorConfig
from .network import Network
from .resources import admin_call, admin_conference

logger = logging.getLogger("emulators.twilio_api")


class AdminError(ValueError):
    """An admin request body is malformed."""


def _body(request: Request) -> dict[str, object]:
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise AdminError("the body must be JSON") from None
    if not isinstance(body, dict):
        raise AdminError("the body must be a JSON object")
    return body


def _admin_error(message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def add_admin_routes(
    app: Sanic,
    board: Switchboard,
    network: Network,
    injector: faults.FaultInjector,
    resets: list[int],
    config: EmulatorConfig,
) -> None:
    """Register the admin routes on ``app``; ``resets[0]`` counts resets."""

    @app.get("/_emulator/health")
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok", "account_sid": config.account_sid})

    @app.get("/_emulator/calls")
    async def admin_calls(request: Request) -> HTTPResponse:
        return response.json([admin_call(call) for call in board.calls.values()])

    @app.post("/_emulator/calls")
    async def register_inbound(request: Request) -> HTTPResponse:
        try:
            body = _body(request)
        except AdminError as problem:
            return _admin_error(str(problem))
        sid, from_, to = body.get("sid"), body.get("from"), body.get("to")
        if not all(isinstance(value, str) and value for value in (sid, from_, to)):
            return _admin_error("sid, from and to are required strings")
        existing = board.calls.get(sid)
        if existing is not None:
            if existing.direction != "inbound":
                return _admin_error(f"{sid} is an outbound leg", 409)
            return response.json(admin_call(existing))
        return response.json(admin_call(board.register_inbound(sid, from_, to)), status=201)

    @app.get("/_emulator/calls/<sid>")
    async def admin_call_one(request: Request, sid: str) -> HTTPResponse:
        call = board.calls.get(sid)
        if call is None:
            return _admin_error(f"no call {sid}", 404)
        return response.json(admin_call(call))

    @app.post("/_emulator/calls/<sid>/redirect_taken")
    async def redirect_taken(request: Request, sid: str) -> HTTPResponse:
        call = board.calls.get(sid)
        if call is None:
            return _admin_error(f"no call {sid}", 404)
        call.pending_redirect = call.pending_method = call.pending_twiml = None
        return response.json(admin_call(call))

    @app.post("/_emulator/calls/<sid>/hangup")
    async def hang_up(request: Request, sid: str) -> HTTPResponse:
        call = board.calls.get(sid)
        if call is None:
            return _admin_error(f"no call {sid}", 404)
        network.finish(call, "completed" if call.status == "in-progress" else "canceled")
        return response.json(admin_call(call))

    @app.post("/_emulator/calls/<sid>/answer")
    async def answer(request: Request, sid: str) -> HTTPResponse:
        call = board.calls.get(sid)
        if call is None:
            return _admin_error(f"no call {sid}", 404)
        try:
            behaviour = _body(request).get("behaviour", "accept")
        except AdminError as problem:
            return _admin_error(str(problem))
        if behaviour not in ANSWERS:
            return _admin_error(f"behaviour must be one of {', '.join(ANSWERS)}")
        if not call.awaiting_answer:
            return _admin_error(f"{sid} is not ringing a manual phone", 409)
        network.answer(call, str(behaviour))
        return response.json(admin_call(call))

    @app.get("/_emulator/conferences")
    async def admin_conferences(request: Request) -> HTTPResponse:
        return response.json([admin_conference(c) for c in board.conferences.values()])

    @app.post("/_emulator/conferences/<name>/participants")
    async def join_conference(request: Request, name: str) -> HTTPResponse:
        try:
            body = _body(request)
        except AdminError as problem:
            return _admin_error(str(problem))
        call = board.calls.get(str(body.get("call_sid", "")))
        if call is None:
            return _admin_error("call_sid names no call", 404)
        if call.ended:
            return _admin_error(f"{call.sid} has ended", 409)
        start = body.get("start_conference_on_enter", True)
        end = body.get("end_conference_on_exit", False)
        if not isinstance(start, bool) or not isinstance(end, bool):
            return _admin_error("start_conference_on_enter and end_conference_on_exit are booleans")
        network.join(call, name, start, end)
        conference = board.active_conference(name)
        return response.json(admin_conference(conference) if conference else {}, status=201)

    @app.get("/_emulator/agents")
    async def agents(request: Request) -> HTTPResponse:
        return response.json(
            {
                "default": board.default_agent.as_dict(),
                "agents": {n: a.as_dict() for n, a in board.agents.items()},
            }
        )

    @app.post("/_emulator/agents")
    async def set_agent(request: Request) -> HTTPResponse:
        try:
            body = _body(request)
            number = str(body.get("number") or "")
            behaviour = body.get("behaviour", "accept")
            ring_seconds = float(body.get("ring_seconds", config.ring_seconds))
        except AdminError as problem:
            return _admin_error(str(problem))
        except (TypeError, ValueError):
            return _admin_error("ring_seconds must be a number")
        if not number:
            return _admin_error("number is required ('*' sets the default)")
        if behaviour not in BEHAVIOURS:
            return _admin_error(f"behaviour must be one of {', '.join(BEHAVIOURS)}")
        if ring_seconds < 0:
            return _admin_error("ring_seconds must be >= 0")
        setting = AgentSetting(str(behaviour), ring_seconds)
        if number == "*":
            board.default_agent = setting
        else:
            board.agents[number] = setting
        return response.json({"number": number, **setting.as_dict()})

    @app.get("/_emulator/faults")
    async def show_fault(request: Request) -> HTTPResponse:
        return response.json(injector.fault.as_dict())

    @app.post("/_emulator/faults")
    async def set_fault(request: Request) -> HTTPResponse:
        try:
            injector.set(faults.parse_fault(_body(request)))
        except (AdminError, faults.FaultSettingError) as problem:
            return _admin_error(str(problem))
        logger.info("fault set: %s", injector.fault.as_dict())
        return response.json(injector.fault.as_dict())

    @app.post("/_emulator/reset")
    async def reset(request: Request) -> HTTPResponse:
        resets[0] += 1
        await network.stop()
        board.reset()
        injector.clear()
        return response.json({"status": "reset"})
