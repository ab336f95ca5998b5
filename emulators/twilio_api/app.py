"""The emulator's Sanic application: the REST subset under ``/2010-04-01`` plus ``/_emulator``
admin routes.

REST routes need HTTP basic auth (AccountSid:AuthToken) and are subject to the
injected fault; admin routes need none. Every request is logged on one line
(method, path, status, time); tokens, bodies and query strings never are.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from sanic import Sanic, response
from sanic.exceptions import MethodNotSupported, NotFound, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from emulators.basic_auth import credentials_match

from . import faults
from .admin import add_admin_routes
from .calls import ENDED_VIA_API, AgentSetting, Call, Conference, Switchboard
from .config import EmulatorConfig
from .network import Network
from .protocol import (
    ApiError,
    api_error,
    error,
    form,
    not_found,
    parse_conference_update,
    parse_create,
    parse_update,
    unauthenticated,
)
from .resources import (
    call_json,
    conference_json,
    page_json,
    participant_json,
)
from .signing import Webhooks

logger = logging.getLogger("emulators.twilio_api")

API = "/2010-04-01/Accounts/<account_sid>"


def _args(request: Request) -> dict[str, str]:
    return {name: values[-1] for name, values in request.args.items()}


def create_app(
    config: EmulatorConfig,
    *,
    fault: faults.Fault | None = None,
    name: str = "twilio_emulator",
) -> Sanic:
    """The emulator app for ``config``'s account."""
    if not config.auth_token:
        raise ValueError("the emulator needs an auth token (TWILIO_AUTH_TOKEN)")
    app = Sanic(name, dumps=json.dumps)  # plain JSON as Twilio writes it: no escaped slashes
    board = Switchboard(
        config.account_sid, AgentSetting(config.agent_behaviour, config.ring_seconds)
    )
    webhooks = Webhooks(config.auth_token)
    network = Network(board, webhooks, config.time_scale)
    injector = faults.FaultInjector(fault)
    resets = [0]  # bumped by /_emulator/reset: requests held by a slow fault are then dropped
    app.ctx.board = board
    app.ctx.network = network

    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        request.ctx.started = time.monotonic()
        if not request.path.startswith("/2010-04-01/"):
            return None
        active = injector.take()
        if active is not None:
            if active.mode == "slow":
                generation = resets[0]
                await asyncio.sleep(active.delay_seconds)
                if generation != resets[0]:
                    return error(503, 20503, "Service unavailable: the emulator was reset")
            elif active.mode == "unauthorized":
                return unauthenticated()
            elif active.mode == "server_error":
                return error(500, 20500, "An internal server error has occurred")
        header = request.headers.get("authorization")
        if not credentials_match(header, config.account_sid, config.auth_token):
            return unauthenticated()
        return None

    @app.on_response
    async def log_request(request: Request, reply: HTTPResponse) -> None:
        started = getattr(request.ctx, "started", time.monotonic())
        elapsed = (time.monotonic() - started) * 1000
        logger.info("%s %s -> %s (%.0f ms)", request.method, request.path, reply.status, elapsed)

    def own_account(request: Request, account_sid: str) -> HTTPResponse | None:
        if account_sid != config.account_sid:
            return not_found(request.path)
        return None

    def find_call(request: Request, account_sid: str, sid: str) -> Call | HTTPResponse:
        refused = own_account(request, account_sid)
        if refused is not None:
            return refused
        call = board.calls.get(sid.removesuffix(".json"))
        return call if call is not None else not_found(request.path)

    def find_conference(request: Request, account_sid: str, sid: str) -> Conference | HTTPResponse:
        refused = own_account(request, account_sid)
        if refused is not None:
            return refused
        conference = board.conferences.get(sid.removesuffix(".json"))
        return conference if conference is not None else not_found(request.path)

    # -- REST: Calls -----------------------------------------------------------------

    @app.post(f"{API}/Calls.json")
    async def create_call(request: Request, account_sid: str) -> HTTPResponse:
        refused = own_account(request, account_sid)
        if refused is not None:
            return refused
        try:
            wanted = parse_create(form(request.body))
        except ApiError as problem:
            return api_error(problem)
        call = board.place(
            wanted.to,
            wanted.from_,
            url=wanted.url,
            method=wanted.method,
            twiml=wanted.twiml,
            status_callback=wanted.status_callback,
            status_callback_method=wanted.status_callback_method,
            status_callback_events=wanted.status_callback_events,
            timeout=wanted.timeout,
        )
        body = call_json(call)  # as created: queued, before the network touches it
        network.dial(call)
        return response.json(body, status=201)

    @app.get(f"{API}/Calls.json")
    async def list_calls(request: Request, account_sid: str) -> HTTPResponse:
        refused = own_account(request, account_sid)
        if refused is not None:
            return refused
        args = _args(request)
        calls = [
            call
            for call in reversed(board.calls.values())
            if args.get("To") in (None, call.to)
            and args.get("From") in (None, call.from_)
            and args.get("Status") in (None, call.status)
        ]
        return response.json(page_json("calls", request.path, calls, call_json, args))

    @app.get(f"{API}/Calls/<sid>")
    async def fetch_call(request: Request, account_sid: str, sid: str) -> HTTPResponse:
        found = find_call(request, account_sid, sid)
        if isinstance(found, HTTPResponse):
            return found
        return response.json(call_json(found))

    @app.post(f"{API}/Calls/<sid>")
    async def update_call(request: Request, account_sid: str, sid: str) -> HTTPResponse:
        found = find_call(request, account_sid, sid)
        if isinstance(found, HTTPResponse):
            return found
        try:
            update = parse_update(form(request.body))
        except ApiError as problem:
            return api_error(problem)
        if update.url is not None or update.twiml is not None:
            if found.status != "in-progress":
                return error(400, 21220, "Call is not in-progress. Cannot redirect.")
            network.redirect(found, update.url, update.method, update.twiml)
        elif update.status is not None:
            network.end_by_request(found, update.status)
        return response.json(call_json(found))

    @app.delete(f"{API}/Calls/<sid>")
    async def delete_call(request: Request, account_sid: str, sid: str) -> HTTPResponse:
        found = find_call(request, account_sid, sid)
        if isinstance(found, HTTPResponse):
            return found
        if not found.ended:
            return error(400, 20009, "Cannot delete a call that is in progress")
        del board.calls[found.sid]
        return response.empty(status=204)

    # -- REST: Conferences and Participants --------------------------------------------

    @app.get(f"{API}/Conferences.json")
    async def list_conferences(request: Request, account_sid: str) -> HTTPResponse:
        refused = own_account(request, account_sid)
        if refused is not None:
            return refused
        args = _args(request)
        conferences = [
            conference
            for conference in reversed(board.conferences.values())
            if args.get("FriendlyName") in (None, conference.friendly_name)
            and args.get("Status") in (None, conference.status)
        ]
        body = page_json("conferences", request.path, conferences, conference_json, args)
        return response.json(body)

    @app.get(f"{API}/Conferences/<sid>")
    async def fetch_conference(request: Request, account_sid: str, sid: str) -> HTTPResponse:
        found = find_conference(request, account_sid, sid)
        if isinstance(found, HTTPResponse):
            return found
        return response.json(conference_json(found))

    @app.post(f"{API}/Conferences/<sid>")
    async def update_conference(request: Request, account_sid: str, sid: str) -> HTTPResponse:
        found = find_conference(request, account_sid, sid)
        if isinstance(found, HTTPResponse):
            return found
        try:
            status = parse_conference_update(form(request.body))
        except ApiError as problem:
            return api_error(problem)
        if status == "completed" and found.status != "completed":
            board.end(found, ENDED_VIA_API, None)
        return response.json(conference_json(found))

    @app.get(f"{API}/Conferences/<sid>/Participants.json")
    async def list_participants(request: Request, account_sid: str, sid: str) -> HTTPResponse:
        found = find_conference(request, account_sid, sid)
        if isinstance(found, HTTPResponse):
            return found
        args = _args(request)
        wanted_muted = args.get("Muted")
        wanted_hold = args.get("Hold")
        participants = [
            p
            for p in found.participants.values()
            if wanted_muted in (None, str(p.muted).lower())
            and wanted_hold in (None, str(p.hold).lower())
        ]
        body = page_json(
            "participants",
            request.path,
            participants,
            lambda p: participant_json(found, p),
            args,
        )
        return response.json(body)

    @app.get(f"{API}/Conferences/<sid>/Participants/<call_sid>")
    async def fetch_participant(
        request: Request, account_sid: str, sid: str, call_sid: str
    ) -> HTTPResponse:
        found = find_conference(request, account_sid, sid)
        if isinstance(found, HTTPResponse):
            return found
        participant = found.participants.get(call_sid.removesuffix(".json"))
        if participant is None:
            return not_found(request.path)
        return response.json(participant_json(found, participant))

    add_admin_routes(app, board, network, injector, resets, config)

    # -- errors ----------------------------------------------------------------------

    @app.exception(NotFound)
    async def unknown_route(request: Request, exception: Exception) -> HTTPResponse:
        return not_found(request.path)

    @app.exception(MethodNotSupported)
    async def unsupported_method(request: Request, exception: Exception) -> HTTPResponse:
        return error(405, 20004, "Method not allowed")

    @app.exception(SanicException)
    async def refused(request: Request, exception: SanicException) -> HTTPResponse:
        status = int(getattr(exception, "status_code", 400) or 400)
        return error(status, 20001 if status < 500 else 20500, str(exception) or "Bad request")

    @app.exception(Exception)
    async def unexpected(request: Request, exception: Exception) -> HTTPResponse:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error(500, 20500, "An internal server error has occurred")

    @app.before_server_stop
    async def shut_down(app: Sanic, loop: object) -> None:
        await network.stop()
        await webhooks.close()

    return app
