"""The one thin client of Twilio's REST API the assistant uses (placing, moving, ending calls).

It wraps the official ``twilio`` library. Whether it talks to Twilio or to the
local emulator is configuration only: ``TWILIO_API_BASE_URL`` makes an HTTP
client subclass send what the library addresses to ``https://api.twilio.com``
there instead. Each blocking library call runs in a thread; every failure
(an error answer, a timeout, no connection) becomes a ``TelephonyError`` whose
message names the operation and the status, never the credentials.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Callable, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from settings import TwilioRestSettings

logger = logging.getLogger(__name__)
# twilio's HTTP client logs every request's headers at INFO: keep them out of the logs.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]
_TWILIO_API_HOST = re.compile(r"^api(\.[a-z0-9-]+)*\.twilio\.com$")

T = TypeVar("T")


class TelephonyError(Exception):
    """A Twilio REST request failed; ``status``/``code`` say how, when Twilio answered."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class RoutedHttpClient(TwilioHttpClient):
    """twilio's own HTTP client with a timeout, sending API requests to ``api_base_url``.

    Only the scheme and host of ``https://api.twilio.com`` (or a regional
    ``api.<edge>.<region>.twilio.com``) are replaced; path and query stay.
    """

    def __init__(self, api_base_url: str | None, timeout_seconds: float) -> None:
        super().__init__(timeout=timeout_seconds)
        self.api_base_url = api_base_url.rstrip("/") if api_base_url else None

    def route(self, url: str) -> str:
        if self.api_base_url is None:
            return url
        parts = urlsplit(url)
        if parts.scheme != "https" or not _TWILIO_API_HOST.match(parts.hostname or ""):
            return url
        base = urlsplit(self.api_base_url)
        path = base.path.rstrip("/") + parts.path
        return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        return super().request(
            method,
            self.route(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )


class TwilioRest:
    """Calls, redirects and conference look-ups on one Twilio account."""

    def __init__(self, settings: TwilioRestSettings) -> None:
        self.settings = settings
        self._client = Client(
            settings.account_sid,
            settings.auth_token,
            account_sid=settings.account_sid,
            http_client=RoutedHttpClient(settings.api_base_url, settings.timeout_seconds),
        )

    def __repr__(self) -> str:
        return f"TwilioRest({self.settings!r})"

    async def place_call(
        self, to: str, from_: str, twiml: str, status_callback: str, timeout_seconds: int
    ) -> str:
        """Ring ``to``; when answered it runs ``twiml``. Returns the new call's SID.

        Progress (initiated, ringing, answered, completed) is posted to ``status_callback``.
        """

        def create() -> str:
            call = self._client.calls.create(
                to=to,
                from_=from_,
                twiml=twiml,
                status_callback=status_callback,
                status_callback_event=CALL_EVENTS,
                status_callback_method="POST",
                timeout=timeout_seconds,
            )
            return str(call.sid)

        return await self._call("place a call", create)

    async def redirect_call(self, call_sid: str, url: str) -> None:
        """Make the live call ``call_sid`` leave what it does and fetch its TwiML from ``url``."""

        def update() -> None:
            self._client.calls(call_sid).update(url=url, method="POST")

        await self._call("redirect a call", update)

    async def _call(self, operation: str, work: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(work)
        except TwilioRestException as problem:
            raise TelephonyError(
                f"Twilio could not {operation}: HTTP {problem.status}"
                f" (error {problem.code}: {_message(problem)})",
                status=problem.status,
                code=problem.code if isinstance(problem.code, int) else None,
            ) from None
        except TwilioException:
            raise TelephonyError(f"Twilio could not {operation}: bad answer") from None
        except requests.Timeout:
            raise TelephonyError(
                f"Twilio could not {operation}: no answer within "
                f"{self.settings.timeout_seconds:g} s"
            ) from None
        except requests.RequestException as problem:
            raise TelephonyError(
                f"Twilio could not {operation}: {type(problem).__name__} reaching the API"
            ) from None


def _message(problem: TwilioRestException) -> str:
    """Twilio's own words, without the library's prefix ("Unable to create record: ...")."""
    text = str(problem.msg or "")
    return text.split(": ", 1)[1] if ": " in text else text
