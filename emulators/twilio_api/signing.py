"""Requests the network sends to an application: signed exactly as Twilio signs them.

``X-Twilio-Signature`` is twilio's own ``RequestValidator.compute_signature``
over the URL requested and, for POST, the form parameters; a GET carries the
parameters in its query string and signs the resulting URL alone. Twilio gives
up on a webhook after 15 seconds, and so does this client.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import aiohttp
from twilio.request_validator import RequestValidator
from yarl import URL

WEBHOOK_TIMEOUT_SECONDS = 15.0
USER_AGENT = "TwilioProxy/1.1"

logger = logging.getLogger("emulators.twilio_api")


class WebhookError(Exception):
    """The application did not answer, or answered with an error status."""


@dataclass(frozen=True)
class WebhookReply:
    status: int
    text: str
    server_seconds: float | None = None  # what the application's Server-Timing header said


def server_seconds(header: str | None) -> float | None:
    """The first ``dur`` (milliseconds) of a ``Server-Timing`` header, in seconds."""
    found = re.search(r"(?:^|;)\s*dur=([0-9.]+)", header or "")
    return float(found.group(1)) / 1000 if found else None


def with_query(url: str, params: dict[str, str]) -> str:
    if not params:
        return url
    return f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params)}"


def where(url: str) -> str:
    """Host and path of a URL, for logs (no query string: it may carry data)."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


class Webhooks:
    """An aiohttp session that signs what it sends with the account's auth token."""

    def __init__(self, auth_token: str, timeout_seconds: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        self._validator = RequestValidator(auth_token)
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    def signature(self, url: str, params: dict[str, str]) -> str:
        return self._validator.compute_signature(url, params)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, url: str, method: str, params: dict[str, str]) -> WebhookReply:
        """POST (or GET) ``params`` to ``url``; raises WebhookError unless the answer is 2xx."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        if method.upper() == "GET":
            url, body = with_query(url, params), None
            signature = self.signature(url, {})
        else:
            body = params
            signature = self.signature(url, params)
        headers = {"X-Twilio-Signature": signature, "User-Agent": USER_AGENT}
        started = time.monotonic()
        try:
            async with self._session.request(
                method.upper(), URL(url, encoded=True), data=body, headers=headers
            ) as reply:  # encoded: sent exactly as signed (yarl would requote "%3A" to ":")
                text = await reply.text()
                status = reply.status
                spent = server_seconds(reply.headers.get("Server-Timing"))
        except (aiohttp.ClientError, asyncio.TimeoutError) as problem:
            logger.info("webhook %s %s failed: %s", method, where(url), type(problem).__name__)
            raise WebhookError(f"{type(problem).__name__} requesting {where(url)}") from None
        elapsed = (time.monotonic() - started) * 1000
        logger.info("webhook %s %s -> %s (%.0f ms)", method, where(url), status, elapsed)
        if not 200 <= status < 300:
            raise WebhookError(f"HTTP {status} from {where(url)}")
        return WebhookReply(status, text, spent)
