"""An intent or entity the domain lacks is reported, as Rasa reports it."""

from __future__ import annotations

import logging

import pytest
from rasa.shared.core.domain import Domain

from channels.assistant import _warn_unseen

DOMAIN = Domain.from_dict({"intents": ["greet"], "entities": ["email"]})


def test_what_the_domain_lists_passes_quietly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        _warn_unseen(DOMAIN, {"intent": {"name": "greet"}, "entities": [{"entity": "email"}]})
        _warn_unseen(DOMAIN, {"intent": {"name": None}, "entities": None})
    assert caplog.messages == []


def test_an_unknown_intent_and_entity_are_each_named_once(caplog: pytest.LogCaptureFixture) -> None:
    parse = {"intent": {"name": "order_pizza"}, "entities": [{"entity": "size"}] * 2}
    with caplog.at_level(logging.WARNING):
        _warn_unseen(DOMAIN, parse)
    assert len(caplog.messages) == 2
    assert "'order_pizza'" in caplog.messages[0] and "'size'" in caplog.messages[1]
