"""The one client of Rasa's HTTP API the console uses (``--enable-api --auth-token``).

It also carries the take-over to the voice channel's ``/takeover`` route, in the
same Rasa server and checked against the same token: the Rasa process rings
the operator and moves the caller, so the console needs no Twilio account.

Rasa reads the token from the ``token`` query parameter only, so every request
carries it there; URLs are therefore never logged. Failures become ``RasaApiError``
naming the operation and the status, never the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=30)
MODEL_TIMEOUT = aiohttp.ClientTimeout(total=300)


TAKEOVER_PATH = "/webhooks/twilio_voice/takeover"


class RasaApiError(Exception):
    pass


@dataclass(frozen=True)
class TakeOver:
    """What the caller hears, and whether the operator's phone is ringing."""

    said: list[str] = field(default_factory=list)
    ringing: bool = False


class RasaApi:
    def __init__(self, base_url: str, token: str, replica_urls: tuple[str, ...] = ()) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        # A model is loaded into each replica; everything else goes through the balancer.
        self._replicas = tuple(url.rstrip("/") for url in replica_urls) or (self.base_url,)

    def __repr__(self) -> str:  # never print the token
        return f"RasaApi({self.base_url!r})"

    async def _request(
        self,
        operation: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        timeout: aiohttp.ClientTimeout = TIMEOUT,
        base_url: str | None = None,
    ) -> Any:
        url = (base_url or self.base_url) + path
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.request(
                    method, url, params={"token": self._token}, json=body
                ) as reply:
                    if not 200 <= reply.status < 300:
                        raise RasaApiError(f"Rasa could not {operation}: HTTP {reply.status}")
                    if reply.status == 204:
                        return None
                    return await reply.json(content_type=None)
        except aiohttp.ClientError as error:
            raise RasaApiError(f"Rasa could not {operation}: {type(error).__name__}") from None
        except TimeoutError:
            raise RasaApiError(f"Rasa could not {operation}: no answer in time") from None

    async def take_over(self, call_sid: str, operator_phone: str) -> TakeOver:
        """Hands the live call to ``operator_phone``: only that phone rings."""
        body = {"call_sid": call_sid, "operator_phone": operator_phone}
        reply = await self._request("take the call over", "POST", TAKEOVER_PATH, body) or {}
        said = reply.get("said") if isinstance(reply, dict) else None
        return TakeOver(
            said=[str(text) for text in said or [] if text],
            ringing=bool(reply.get("ringing")) if isinstance(reply, dict) else False,
        )

    async def model_file(self) -> str | None:
        """The model Rasa is running."""
        reply = await self._request("report its status", "GET", "/status")
        return (reply or {}).get("model_file")

    async def load_model(self, path: str) -> None:
        """Replaces the running model in every replica; conversations stay in the tracker store.

        One replica at a time, so the others keep answering calls meanwhile.
        """
        for replica in self._replicas:
            await self._request(
                "load the model",
                "PUT",
                "/model",
                {"model_file": path},
                timeout=MODEL_TIMEOUT,
                base_url=replica,
            )
