"""The ``/_emulator`` admin routes: health, inspection, agents' phones, the caller leg the
driver plays, faults and reset. They need no auth and never see a fault.

A caller dials in with ``POST /_emulator/calls`` (``url``: the application's
voice webhook; without it the leg only waits until the REST API moves it). Its
driver then plays the caller through ``POST /_emulator/calls/{sid}/caller``:
``listen`` (wait for the next ``<Gather>``, the end of the call, or a
conference), ``answer`` (its ``params``, e.g. ``SpeechResult``, go to the
waiting ``<Gather>``; an empty answer is silence), ``hold`` (wait in the
conference for an agent), ``retry`` (Twilio sends the caller's last answer again); each
answers with what the caller heard since what the driver has ``seen``.
``POST /_emulator/calls/{sid}/repeat`` sends that answer again and returns
the reply without following it, and
``POST /_emulator/calls/{sid}/hangup`` hangs up.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from . import faults
from .calls import AgentSetting, Exchange, Leg
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


async def _settled(call: Leg, more: Callable[[], object], timeout: float) -> bool:
    """Waits until the leg listens at a ``<Gather>``, has ended, or ``more()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (call.listening is not None or call.ended or more()):
        call.progress.clear()
        try:
            await asyncio.wait_for(call.progress.wait(), max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            return False
    return True


def add_admin_routes(
    app: Sanic,
    board: Exchange,
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
    async def dial_in(request: Request) -> HTTPResponse:
        try:
            body = _body(request)
        except AdminError as problem:
            return _admin_error(str(problem))
        sid, from_, to = body.get("sid"), body.get("from"), body.get("to")
        if not all(isinstance(value, str) and value for value in (sid, from_, to)):
            return _admin_error("sid, from and to are required strings")
        url, callback = body.get("url"), body.get("status_callback")
        if not all(value is None or isinstance(value, str) for value in (url, callback)):
            return _admin_error("url and status_callback are strings")
        existing = board.calls.get(sid)
        if existing is not None:
            if existing.direction != "inbound":
                return _admin_error(f"{sid} is an outbound leg", 409)
            return response.json(admin_call(existing))
        call = board.register_inbound(sid, from_, to, status_callback=callback)
        if url:
            network.start_inbound(call, url)
        return response.json(admin_call(call), status=201)

    @app.get("/_emulator/calls/<sid>")
    async def admin_call_one(request: Request, sid: str) -> HTTPResponse:
        call = board.calls.get(sid)
        if call is None:
            return _admin_error(f"no call {sid}", 404)
        return response.json(admin_call(call))

    @app.post("/_emulator/calls/<sid>/caller")
    async def caller(request: Request, sid: str) -> HTTPResponse:
        call = board.calls.get(sid)
        if call is None or call.direction != "inbound":
            return _admin_error(f"no inbound call {sid}", 404)
        try:
            body = _body(request)
            action, params = body.get("action"), body.get("params") or {}
            timeout = float(body.get("timeout", 30))
            seen = body.get("seen") or [0, 0, 0]  # heard lines, documents, requests
            marks = tuple(int(n) for n in seen)
        except AdminError as problem:
            return _admin_error(str(problem))
        except (TypeError, ValueError):
            return _admin_error("timeout is a number, seen three whole numbers")
        if action not in ("listen", "answer", "hold", "retry") or not isinstance(params, dict):
            return _admin_error("action is listen, answer, hold or retry; params an object")
        if action == "answer":
            if call.listening is None:
                return _admin_error(f"{sid} is not listening (on hold, or over)", 409)
            call.listening = None
            call.inputs.put_nowait({str(k): str(v) for k, v in params.items()})
        elif action == "retry":
            try:
                network.retry(call)
            except ValueError as problem:
                return _admin_error(str(problem), 409)
        ready = (lambda: agent_joined(call)) if action == "hold" else (lambda: call.conference)
        if not await _settled(call, ready, timeout):
            return _admin_error(f"{sid}: nothing happened within {timeout:g} s", 408)
        heard, twiml, seconds = (*marks, 0, 0, 0)[:3]
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

    def agent_joined(call: Leg) -> bool:
        conference = board.active_conference(call.conference) if call.conference else None
        return (
            conference is not None
            and conference.status == "in-progress"
            and any(sid != call.sid for sid in conference.participants)
        )

    @app.post("/_emulator/calls/<sid>/repeat")
    async def repeat(request: Request, sid: str) -> HTTPResponse:
        call = board.calls.get(sid)
        if call is None:
            return _admin_error(f"no call {sid}", 404)
        try:
            return response.text(await network.repeat(call))
        except ValueError as problem:
            return _admin_error(str(problem), 409)

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
