"""The emulator's Sanic application: Table API routes plus ``/_emulator`` admin routes.

``create_app(db_path)`` opens (and on first use seeds) the SQLite database and
returns the app; ``python -m emulators.servicenow`` serves it. Admin routes need
no auth; everything under ``/api/now`` needs basic auth and is subject to the
injected fault.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from sanic import Sanic, response
from sanic.exceptions import MethodNotSupported, NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from emulators.basic_auth import credentials_match

from . import faults
from .protocol import (
    NOT_FOUND,
    BadRequestBody,
    Sysparms,
    error,
    paging_link,
    parse_body,
    unauthenticated,
)
from .records import render
from .schema import TABLES
from .seed import ensure_api_user, seed
from .service import TableService
from .store import Store

logger = logging.getLogger("emulators.servicenow")


def create_app(
    db_path: Path | str,
    *,
    user: str = "admin",
    password: str = "admin",  # noqa: S107 - the well-known demo login of the emulator
    fault: faults.Fault | None = None,
    name: str = "servicenow_emulator",
) -> Sanic:
    """The emulator app over the database at ``db_path`` (seeded when empty)."""
    app = Sanic(name)
    store = Store(db_path)
    service = TableService(store, user)
    if store.is_empty():
        seed(service)
    ensure_api_user(service)
    injector = faults.FaultInjector(fault)

    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        request.ctx.started = time.monotonic()
        if not request.path.startswith("/api/now/"):
            return None
        if injector.fault.mode in faults.AFTER_COMMIT and request.method != "POST":
            active = None  # these hit creates only; lookups answer normally
        else:
            active = injector.take()
        request.ctx.after_commit = active if active and active.mode in faults.AFTER_COMMIT else None
        if active is not None:
            if active.mode == "slow":
                await asyncio.sleep(active.delay_seconds)
            elif active.mode == "rate_limit":
                detail = "Rate limit of 100 requests per hour for Table API exceeded"
                headers = faults.rate_limit_headers(active)
                return error(429, "Rate limit exceeded", detail, **headers)
            elif active.mode == "server_error":
                return error(500, "Internal server error", "The instance failed to process it")
            elif active.mode == "hibernating":
                return response.html(faults.HIBERNATING_PAGE, status=200)
        if not credentials_match(request.headers.get("authorization"), user, password):
            return unauthenticated()
        return None

    @app.on_response
    async def log_request(request: Request, reply: HTTPResponse) -> None:
        started = getattr(request.ctx, "started", time.monotonic())
        elapsed = (time.monotonic() - started) * 1000
        logger.info("%s %s -> %s (%.0f ms)", request.method, request.path, reply.status, elapsed)

    def base_url(request: Request) -> str:
        return f"{request.scheme}://{request.host}"

    def result(request: Request, table: str, record: dict[str, str], params: Sysparms) -> object:
        return render(
            service,
            table,
            record,
            fields=params.fields,
            mode=params.mode,
            exclude_links=params.exclude_links,
            base_url=base_url(request),
        )

    def reply_with(request: Request, payload: object, status: int, **headers: str) -> HTTPResponse:
        if request.headers.get("x-no-response-body", "").lower() == "true":
            return response.empty(status=status, headers=headers or None)
        return response.json({"result": payload}, status=status, headers=headers or None)

    @app.get("/_emulator/health")
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/_emulator/faults")
    async def show_fault(request: Request) -> HTTPResponse:
        return response.json(injector.fault.as_dict())

    @app.post("/_emulator/faults")
    async def set_fault(request: Request) -> HTTPResponse:
        try:
            injector.set(faults.parse_fault(parse_body(request.body)))
        except (BadRequestBody, faults.FaultSettingError) as problem:
            return error(400, "Invalid fault", str(problem))
        logger.info("fault set: %s", injector.fault.as_dict())
        return response.json(injector.fault.as_dict())

    @app.post("/_emulator/reset")
    async def reset(request: Request) -> HTTPResponse:
        store.wipe()
        seed(service)
        ensure_api_user(service)
        injector.clear()
        return response.json({"status": "reset"})

    @app.get("/api/now/table/<table>")
    async def list_records(request: Request, table: str) -> HTTPResponse:
        if table not in TABLES:
            return error(400, f"Invalid table {table}")
        params = Sysparms.from_args(request.args, table)
        records, total = service.query(table, params.query, params.limit, params.offset)
        headers = {"X-Total-Count": str(total)}
        if not params.suppress_pagination:
            link_args = {k: v for k, v in request.args.items() if k.startswith("sysparm_")}
            url = f"{base_url(request)}{request.path}"
            first_args = {k: v[0] for k, v in link_args.items()}
            headers["Link"] = paging_link(url, first_args, params.limit, params.offset, total)
        body = [result(request, table, record, params) for record in records]
        return response.json({"result": body}, headers=headers)

    @app.post("/api/now/table/<table>")
    async def create_record(request: Request, table: str) -> HTTPResponse:
        if table not in TABLES:
            return error(400, f"Invalid table {table}")
        try:
            payload = parse_body(request.body)
        except BadRequestBody as problem:
            return error(400, "Exception while reading request", str(problem))
        params = Sysparms.from_args(request.args, table)  # query/limit/offset are ignored
        record = service.create(table, payload)
        after = request.ctx.after_commit
        if after is not None and after.mode == "slow_after_commit":
            await asyncio.sleep(after.delay_seconds)
        elif after is not None:  # drop_after_commit: written, never answered
            request.transport.close()
            return response.empty(status=204)
        location = f"{base_url(request)}/api/now/table/{table}/{record['sys_id']}"
        return reply_with(request, result(request, table, record, params), 201, Location=location)

    @app.get("/api/now/table/<table>/<sys_id>")
    async def read_record(request: Request, table: str, sys_id: str) -> HTTPResponse:
        if table not in TABLES:
            return error(400, f"Invalid table {table}")
        record = service.get(table, sys_id)
        if record is None:
            return error(404, *NOT_FOUND)
        return reply_with(
            request, result(request, table, record, Sysparms.from_args(request.args, table)), 200
        )

    @app.route("/api/now/table/<table>/<sys_id>", methods=["PUT", "PATCH"])
    async def update_record(request: Request, table: str, sys_id: str) -> HTTPResponse:
        if table not in TABLES:
            return error(400, f"Invalid table {table}")
        try:
            payload = parse_body(request.body)
        except BadRequestBody as problem:
            return error(400, "Exception while reading request", str(problem))
        record = service.update(table, sys_id, payload)
        if record is None:
            return error(404, *NOT_FOUND)
        params = Sysparms.from_args(request.args, table)
        return reply_with(request, result(request, table, record, params), 200)

    @app.delete("/api/now/table/<table>/<sys_id>")
    async def delete_record(request: Request, table: str, sys_id: str) -> HTTPResponse:
        if table not in TABLES:
            return error(400, f"Invalid table {table}")
        if not service.delete(table, sys_id):
            return error(404, *NOT_FOUND)
        return response.empty(status=204)

    @app.exception(NotFound)
    async def unknown_route(request: Request, exception: Exception) -> HTTPResponse:
        return error(400, "Requested URI does not represent any resource")

    @app.exception(MethodNotSupported)
    async def unsupported_method(request: Request, exception: Exception) -> HTTPResponse:
        return error(405, "Method not Supported", f"{request.method} is not allowed here")

    @app.exception(Exception)
    async def unexpected(request: Request, exception: Exception) -> HTTPResponse:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error(500, "Internal server error", type(exception).__name__)

    @app.after_server_stop
    async def close_store(app: Sanic, loop: object) -> None:
        store.close()

    return app
