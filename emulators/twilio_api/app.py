"""The emulator's Sanic application: the REST subset the product uses under ``/2010-04-01``
(create a call, move a live call) plus ``/_emulator`` admin routes.

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
from .calls import AgentSetting, Exchange, Leg
from .config import EmulatorConfig
from .network import Network
from .protocol import (
    ApiError,
    api_error,
    error,
    form,
    not_found,
    parse_create,
    parse_update,
    unauthenticated,
)
from .resources import call_json
from .signing import Webhooks

logger = logging.getLogger("emulators.twilio_api")

API = "/2010-04-01/Accounts/<account_sid>"


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
    board = Exchange(config.account_sid, AgentSetting(config.agent_behaviour, config.ring_seconds))
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

    def find_call(request: Request, account_sid: str, sid: str) -> Leg | HTTPResponse:
        refused = own_account(request, account_sid)
        if refused is not None:
            return refused
        call = board.calls.get(sid.removesuffix(".json"))
        return call if call is not None else not_found(request.path)

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
        return response.json(call_json(found))

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
