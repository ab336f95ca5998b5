"""Rasa's ``DucklingEntityExtractor`` over one pooled HTTP session.

Rasa's extractor calls ``requests.post`` for every message: a new session, a new
TCP connection to Duckling and its teardown, inside Rasa's event loop. This one
keeps the connections (``requests.Session``), and retries a parse once when a
kept connection turns out to have been closed by the server (a parse changes
nothing, so a retry is safe). The HTTP contract, the configuration and the
answers are Rasa's: ``- name: nlu.duckling.PooledDucklingEntityExtractor``
in ``rasa_bot/config.yml`` with the same keys as ``DucklingEntityExtractor``.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.duckling_entity_extractor import DucklingEntityExtractor
from rasa.utils.endpoints import concat_url
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}


def pooled_session() -> requests.Session:
    """A session that keeps its connections and retries a parse once on a dropped one."""
    session = requests.Session()
    # Duckling is a service of the deployment: no proxy, no ~/.netrc (read per request).
    session.trust_env = False
    retry = Retry(total=1, connect=1, read=1, status=0, allowed_methods=None)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PooledDucklingEntityExtractor(DucklingEntityExtractor):
    """``DucklingEntityExtractor`` with kept-alive connections."""

    _session: requests.Session | None = None

    def _duckling_parse(self, text: str, reference_time: int) -> list[dict[str, Any]]:
        if self._session is None:
            self._session = pooled_session()
        url = concat_url(self._url(), "/parse")
        try:
            reply = self._session.post(
                url,
                data=self._payload(text, reference_time),
                headers=FORM,
                timeout=self.component_config.get("timeout"),
            )
        except requests.RequestException as error:
            logger.error("Duckling at %s did not answer: %s", url, type(error).__name__)
            return []
        if reply.status_code != 200:
            logger.error("Duckling at %s answered HTTP %s", url, reply.status_code)
            return []
        return reply.json()
