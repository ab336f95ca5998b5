"""Rasa's Duckling extractor, with its connections kept, parses as Rasa's does."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.training_data.message import Message

from nlu.duckling import PooledDucklingEntityExtractor
from tests.duckling_fixtures import duckling_server  # noqa: F401


def extractor(url: str) -> PooledDucklingEntityExtractor:
    config = {
        **PooledDucklingEntityExtractor.get_default_config(),
        "url": url,
        "dimensions": ["email", "number"],
        "locale": "en_US",
        "timezone": "America/New_York",
        "timeout": 5,
    }
    return PooledDucklingEntityExtractor(config)


def entities(component: PooledDucklingEntityExtractor, text: str) -> list[dict[str, Any]]:
    message = Message(data={"text": text})
    component.process([message])
    return [(e["entity"], e["value"]) for e in message.get("entities", [])]


def test_messages_are_parsed_over_one_kept_session(duckling_server: str) -> None:  # noqa: F811
    component = extractor(duckling_server)
    assert entities(component, "it is beth.anglin@example.com") == [
        ("email", "beth.anglin@example.com")
    ]
    session = component._session
    assert entities(component, "three laptops") == [("number", 3)]
    assert component._session is session


def test_an_unreachable_duckling_means_no_entities_not_a_failed_turn() -> None:
    assert entities(extractor("http://127.0.0.1:9"), "three laptops") == []
