"""Rasa's Duckling extractor, with its connections kept, parses as Rasa's does."""

from __future__ import annotations

from typing import Any

from pytest_httpserver import HTTPServer
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


def test_messages_are_parsed_over_one_kept_connection(duckling_server: str) -> None:  # noqa: F811
    component = extractor(duckling_server)
    assert entities(component, "it is beth.anglin@example.com") == [
        ("email", "beth.anglin@example.com")
    ]
    assert entities(component, "three laptops") == [("number", 3)]
    connections = component._pool.connection_from_url(duckling_server)
    assert connections.num_connections == 1 and connections.num_requests == 2


def test_an_unreachable_duckling_means_no_entities_not_a_failed_turn() -> None:
    assert entities(extractor("http://127.0.0.1:9"), "three laptops") == []


def test_a_duckling_answering_nonsense_means_no_entities(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/parse", method="POST").respond_with_data("<html>oops</html>")
    assert entities(extractor(httpserver.url_for("/")), "three laptops") == []
    httpserver.expect_request("/parse", method="POST").respond_with_data("busy", status=503)
    assert entities(extractor(httpserver.url_for("/")), "three laptops") == []
