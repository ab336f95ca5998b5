"""HTTP details of the Table API: envelopes, basic auth, sysparm parsing, paging links.

Kept apart from the routes so each piece can be read (and tested) on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlencode

from sanic import response
from sanic.response import HTTPResponse

from .records import display_mode, parse_fields

DEFAULT_LIMIT = 10000
NOT_FOUND = ("No Record found", "Record doesn't exist or ACL restricts the record retrieval")
UNAUTHENTICATED = ("User Not Authenticated", "Required to provide Auth information")


class BadRequestBody(ValueError):
    """The request body is not a JSON object."""


def error(status: int, message: str, detail: str | None = None, **headers: str) -> HTTPResponse:
    """The failure envelope every Table API error uses."""
    body = {"error": {"message": message, "detail": detail}, "status": "failure"}
    return response.json(body, status=status, headers=headers or None)


def unauthenticated() -> HTTPResponse:
    return error(401, *UNAUTHENTICATED, **{"WWW-Authenticate": 'BASIC realm="Service-now"'})


def parse_body(raw: bytes) -> dict[str, object]:
    """The JSON object of a POST/PUT/PATCH body (an empty body is an empty object)."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequestBody("The payload is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BadRequestBody("The payload must be a JSON object.")
    return body


def _flag(raw: str | None) -> bool:
    return (raw or "").strip().lower() == "true"


def _whole(raw: str | None, default: int) -> int:
    try:
        value = int(raw) if raw not in (None, "") else default
    except ValueError:
        return default
    return value if value >= 0 else default


@dataclass(frozen=True)
class Sysparms:
    """The sysparm_* parameters of one request, normalised (pysnow sends True/False)."""

    query: str
    limit: int
    offset: int
    mode: str
    fields: list[str] | None
    exclude_links: bool
    suppress_pagination: bool

    @classmethod
    def from_args(cls, args: Mapping[str, str], table: str) -> Sysparms:
        return cls(
            query=args.get("sysparm_query", "") or "",
            limit=_whole(args.get("sysparm_limit"), DEFAULT_LIMIT),
            offset=_whole(args.get("sysparm_offset"), 0),
            mode=display_mode(args.get("sysparm_display_value")),
            fields=parse_fields(args.get("sysparm_fields"), table),
            exclude_links=_flag(args.get("sysparm_exclude_reference_link")),
            suppress_pagination=_flag(args.get("sysparm_suppress_pagination_header")),
        )


def paging_link(url: str, args: Mapping[str, str], limit: int, offset: int, total: int) -> str:
    """The ``Link`` header: first, prev, next (when there is more) and last pages."""
    if limit <= 0:
        return ""

    def page(offset_value: int, rel: str) -> str:
        params = {**args, "sysparm_limit": str(limit), "sysparm_offset": str(offset_value)}
        return f'<{url}?{urlencode(params)}>;rel="{rel}"'

    last = max(0, (total - 1) // limit * limit)
    links = [
        page(0, "first"),
        page(offset - limit, "prev"),
    ]  # a live PDI sends prev=-limit on page 1
    if offset + limit < total:
        links.append(page(offset + limit, "next"))
    links.append(page(last, "last"))
    return ",".join(links)
