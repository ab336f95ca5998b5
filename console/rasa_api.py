"""The one client of Rasa's HTTP API the console uses (``--enable-api --auth-token``).

Rasa reads the token from the ``token`` query parameter only, so every request
carries it there; URLs are therefore never logged. Failures become ``RasaApiError``
naming the operation and the status, never the token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=30)
MODEL_TIMEOUT = aiohttp.ClientTimeout(total=300)


class RasaApiError(Exception):
    pass


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

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: dict[str, str]
    ) -> list[str]:
        """Runs ``intent`` in the conversation as if the caller said it; returns what was said."""
        path = f"/conversations/{quote(conversation_id, safe='')}/trigger_intent"
        reply = await self._request(
            "trigger an intent", "POST", path, {"name": intent, "entities": entities}
        )
        messages = (reply or {}).get("messages") or []
        return [str(m.get("text")) for m in messages if isinstance(m, dict) and m.get("text")]

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
