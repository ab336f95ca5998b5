"""The action server's endpoint keeps its HTTP connections from one call to the next, and
sends what Rasa gives it as the JSON ``json`` would have sent."""

from __future__ import annotations

import json
import math

import pytest
from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic, response

from channels.assistant import KeepAliveEndpoint, action_request_json
from tests.in_process import InProcessServer


def test_action_calls_share_one_connection() -> None:
    app = Sanic("actions-keep-alive")
    peers: list[tuple[str, int]] = []

    @app.post("/webhook")
    async def webhook(request):  # type: ignore[no-untyped-def]
        assert json.loads(request.body) == {"next_action": "a/b"}
        peers.append((request.conn_info.client, request.conn_info.client_port))
        return response.json({"events": [], "responses": []})

    server = InProcessServer(app).start()
    try:
        plain = EndpointConfig(f"{server.base_url}/webhook", headers={"X-Test": "1"})
        kept = KeepAliveEndpoint.of(plain)
        assert kept.url == plain.url and kept.headers == plain.headers

        async def three_calls() -> list[object]:
            answers = [await kept.request(json={"next_action": "a/b"}) for _ in range(3)]
            await kept.session()._session.close()
            return answers

        answers = server.run(three_calls())
    finally:
        server.stop()
    assert answers == [{"events": [], "responses": []}] * 3
    assert len(set(peers)) == 1  # Rasa's own endpoint opens a connection per call


def test_the_body_reads_back_as_json_would_write_it() -> None:
    body = {
        "next_action": "validate_ticket_form",
        "sender_id": "CA0123/45",
        "slots": {"email": "beth.anglin@example.com", "priority": None, "urgent": True},
        "events": [{"timestamp": 1764487000.123456, "text": "c'est \u00e9t\u00e9 \U0001f642"}],
        "ranking": [{"confidence": 1 / 3}, {"confidence": math.nan}, {"count": 2**70}],
    }
    sent = action_request_json(body)
    assert repr(json.loads(sent)) == repr(json.loads(json.dumps(body)))  # nan != nan
    assert "\\/" not in sent  # slashes as json writes them


def test_what_json_cannot_write_is_refused_the_same_way() -> None:
    with pytest.raises(TypeError):
        json.dumps({"data": b"bytes"})
    with pytest.raises(TypeError):
        action_request_json({"data": b"bytes"})
