"""Duckling's HTTP contract served by Sanic over :class:`DucklingParser`.

The same contract as Facebook's ``duckling-example-exe`` so Rasa's
``DucklingEntityExtractor`` works unchanged:

* ``GET /`` answers ``quack!``.
* ``POST /parse`` with form fields ``text`` (required), ``locale`` (``en_US``),
  ``lang`` (used when ``locale`` is absent), ``tz`` (the server's default time
  zone), ``dims`` (a JSON list such as ``["email","number"]``; absent, ``null``
  or ``[]`` mean every dimension), ``reftime`` (milliseconds since the epoch,
  default now) and ``latent`` (``true``/``false``) answers a JSON array of
  ``{body, start, end, dim, latent, value}``.

Unlike Duckling, which silently falls back to defaults, a malformed or unknown
locale, time zone, dimension, reference time or latent flag is answered with
400 and a plain message. A missing ``text`` is 422, as in Duckling.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import parse_qs

from sanic import Sanic, response
from sanic.log import logger
from sanic.request import Request
from sanic.response import HTTPResponse

from duckling_server.parser import DEFAULT_LOCALE, DucklingInputError, DucklingParser

HEALTH_ANSWER = "quack!"
MISSING_TEXT = "Need a 'text' parameter to parse"

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


class MissingText(ValueError):
    """The request has no ``text`` field."""


@dataclass(frozen=True)
class ParseQuery:
    """One ``/parse`` request, checked."""

    text: str
    locale: str = DEFAULT_LOCALE
    tz: str | None = None
    dims: tuple[str, ...] | None = None
    reftime_ms: int | float | None = None
    latent: bool = False


def _field(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def _dims(raw: str | None) -> tuple[str, ...] | None:
    if raw is None or not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise DucklingInputError(
            f'dims must be a JSON list of names like ["email","number"], got {raw!r}'
        ) from None
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DucklingInputError(f"dims must be a JSON list of strings, got {raw!r}")
    return tuple(value)


def _reftime(raw: str | None) -> int | float | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:  # Rasa sends ``message.time * 1000``, which may be a float
        return float(text)
    except ValueError:
        raise DucklingInputError(
            f"reftime must be milliseconds since the epoch, got {raw!r}"
        ) from None


def _latent(raw: str | None) -> bool:
    if raw is None or not raw.strip():
        return False
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise DucklingInputError(f"latent must be true or false, got {raw!r}")


def read_query(form: Mapping[str, list[str]]) -> ParseQuery:
    """Check the form fields of a ``/parse`` request.

    Raises :class:`MissingText` or :class:`DucklingInputError` (time zones and
    locales are checked against Duckling itself when parsing).
    """
    text = _field(form, "text")
    if text is None:
        raise MissingText(MISSING_TEXT)
    locale = _field(form, "locale") or _field(form, "lang") or DEFAULT_LOCALE
    return ParseQuery(
        text=text,
        locale=locale,
        tz=_field(form, "tz") or None,
        dims=_dims(_field(form, "dims")),
        reftime_ms=_reftime(_field(form, "reftime")),
        latent=_latent(_field(form, "latent")),
    )


def _form(request: Request) -> Mapping[str, list[str]]:
    """Form fields of a url-encoded or multipart body, keeping empty values."""
    content_type = (request.content_type or "").split(";", 1)[0].strip().lower()
    if content_type == "multipart/form-data":
        return {key: list(values) for key, values in request.form.items()}
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise DucklingInputError("the request body must be UTF-8") from None
    return parse_qs(body, keep_blank_values=True)


def create_app(parser: DucklingParser, name: str = "duckling_server") -> Sanic:
    """The Duckling HTTP server answering with ``parser``."""
    app = Sanic(name)
    app.config.FALLBACK_ERROR_FORMAT = "text"

    @app.get("/")
    async def health(request: Request) -> HTTPResponse:
        return response.text(HEALTH_ANSWER)

    @app.post("/parse")
    async def parse(request: Request) -> HTTPResponse:
        try:
            query = read_query(_form(request))
            entities = await asyncio.to_thread(
                parser.parse,
                query.text,
                query.locale,
                query.tz,
                query.dims,
                query.reftime_ms,
                query.latent,
            )
        except MissingText as error:
            return response.text(str(error), status=422)
        except DucklingInputError as error:
            logger.info("bad /parse request: %s", error)
            return response.text(str(error), status=400)
        return response.json(entities, dumps=json.dumps, ensure_ascii=False)

    return app
