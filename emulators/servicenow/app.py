"""A ServiceNow Table API emulator over SQLite, for local runs and tests.

Routes under ``/api/now/table/<incident|sys_user>``: ``GET`` (``sysparm_query``,
``_limit``, ``_fields``, ``_display_value``, ``_exclude_reference_link``),
``POST`` to create, ``GET``/``PUT``/``PATCH .../<sys_id>``; they need basic auth
and are subject to the injected fault. ``/_emulator`` routes need none: health,
faults, reset (back to the seed data). The database is seeded on first use and
survives restarts.

Fault modes: ``slow`` (sleep ``delay_seconds``, then answer), ``rate_limit``
(429 with ``Retry-After``), ``server_error`` (500), ``hibernating`` (a 200 HTML
page, as a sleeping developer instance serves), ``slow_after_commit`` and
``drop_after_commit`` (a create is written, then answered late, or the
connection closed without an answer; lookups are not hit by these two).
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from emulators.common import Fault, Faults, add_common_routes, credentials_match

from .seed import seed
from .tables import FIELDS, JOURNALS, Tables

logger = logging.getLogger("emulators.servicenow")

MODES = ("none", "slow", "rate_limit", "server_error", "hibernating", "slow_after_commit",
         "drop_after_commit")  # fmt: skip
AFTER_COMMIT = ("slow_after_commit", "drop_after_commit")
HIBERNATING_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Instance Hibernating page</title></head>
<body><h1>Your instance is hibernating</h1></body></html>
"""


def error(status: int, message: str, detail: str | None = None, **headers: str) -> HTTPResponse:
    """The failure envelope every Table API error uses."""
    body = {"error": {"message": message, "detail": detail}, "status": "failure"}
    return response.json(body, status=status, headers=headers or None)


def parse_body(raw: bytes) -> dict[str, object]:
    """The JSON object of a POST/PUT/PATCH body; ValueError when it is not one."""
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("The payload is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ValueError("The payload must be a JSON object.")
    return body


def create_app(
    db_path: Path | str,
    *,
    user: str = "admin",
    password: str = "admin",  # noqa: S107 - the well-known demo login of the emulator
    fault: Fault | None = None,
    name: str = "servicenow_emulator",
) -> Sanic:
    """The emulator app over the database at ``db_path`` (seeded when empty)."""
    app = Sanic(name)
    tables = Tables(db_path, user)
    seed(tables)
    faults = Faults(MODES, fault)
    add_common_routes(app, faults, logger)

    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        if not request.path.startswith("/api/now/"):
            return None
        creates_only = faults.fault.mode in AFTER_COMMIT
        active = None if creates_only and request.method != "POST" else faults.take()
        request.ctx.after_commit = active if active and active.mode in AFTER_COMMIT else None
        mode = active.mode if active else "none"
        if mode == "slow":
            await asyncio.sleep(active.delay_seconds)
        elif mode == "rate_limit":
            detail = "Rate limit of 100 requests per hour for Table API exceeded"
            retry = {"Retry-After": str(active.retry_after_seconds)}
            return error(429, "Rate limit exceeded", detail, **retry)
        elif mode == "server_error":
            return error(500, "Internal server error", "The instance failed to process it")
        elif mode == "hibernating":
            return response.html(HIBERNATING_PAGE, status=200)
        if not credentials_match(request.headers.get("authorization"), user, password):
            realm = {"WWW-Authenticate": 'BASIC realm="Service-now"'}
            return error(
                401, "User Not Authenticated", "Required to provide Auth information", **realm
            )
        table = request.match_info.get("table", "")
        return None if table in FIELDS else error(400, f"Invalid table {table}")

    def shown(request: Request, table: str, record: dict[str, str]) -> dict[str, object]:
        args = request.args
        wanted = dict.fromkeys(n.strip() for n in args.get("sysparm_fields", "").split(","))
        known = [n for n in wanted if n in FIELDS[table] or (table == "incident" and n in JOURNALS)]
        mode = (args.get("sysparm_display_value") or "false").lower()
        links = (args.get("sysparm_exclude_reference_link") or "").lower() != "true"
        mode = mode if mode in ("true", "all") else "false"
        return tables.render(
            table, record, mode, known, links, f"{request.scheme}://{request.host}"
        )

    @app.post("/_emulator/reset")
    async def reset(request: Request) -> HTTPResponse:
        tables.wipe()
        seed(tables)
        faults.fault = Fault()
        return response.json({"status": "reset"})

    @app.get("/api/now/table/<table>")
    async def list_records(request: Request, table: str) -> HTTPResponse:
        limit = request.args.get("sysparm_limit", "")
        records = tables.rows(
            table, request.args.get("sysparm_query", ""), int(limit) if limit.isdigit() else 10000
        )
        return response.json({"result": [shown(request, table, r) for r in records]})

    @app.post("/api/now/table/<table>")
    async def create_record(request: Request, table: str) -> HTTPResponse:
        try:
            record = tables.create(table, parse_body(request.body))
        except ValueError as problem:
            return error(400, "Exception while reading request", str(problem))
        after = request.ctx.after_commit
        if after is not None and after.mode == "slow_after_commit":
            await asyncio.sleep(after.delay_seconds)
        elif after is not None:  # drop_after_commit: written, never answered
            request.transport.close()
            return response.empty(status=204)
        location = f"{request.scheme}://{request.host}/api/now/table/{table}/{record['sys_id']}"
        body = {"result": shown(request, table, record)}
        return response.json(body, status=201, headers={"Location": location})

    @app.route("/api/now/table/<table>/<sys_id>", methods=["GET", "PUT", "PATCH"])
    async def one_record(request: Request, table: str, sys_id: str) -> HTTPResponse:
        try:
            payload = parse_body(request.body) if request.method != "GET" else {}
        except ValueError as problem:
            return error(400, "Exception while reading request", str(problem))
        record = tables.update(table, sys_id, payload) if payload else tables.get(table, sys_id)
        if record is None:
            detail = "Record doesn't exist or ACL restricts the record retrieval"
            return error(404, "No Record found", detail)
        return response.json({"result": shown(request, table, record)})

    @app.after_server_stop
    async def close(app: Sanic, loop: object) -> None:
        tables.close()

    return app
