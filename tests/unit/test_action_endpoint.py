"""The action server's endpoint keeps its HTTP connections from one call to the next."""

from __future__ import annotations

from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic, response

from channels.assistant import KeepAliveEndpoint
from tests.in_process import InProcessServer


def test_action_calls_share_one_connection() -> None:
    app = Sanic("actions-keep-alive")
    peers: list[tuple[str, int]] = []

    @app.post("/webhook")
    async def webhook(request):  # type: ignore[no-untyped-def]
        peers.append((request.conn_info.client, request.conn_info.client_port))
        return response.json({"events": [], "responses": []})

    server = InProcessServer(app).start()
    try:
        plain = EndpointConfig(f"{server.base_url}/webhook", headers={"X-Test": "1"})
        kept = KeepAliveEndpoint.of(plain)
        assert kept.url == plain.url and kept.headers == plain.headers

        async def three_calls() -> list[object]:
            answers = [await kept.request(json={"next_action": "a"}) for _ in range(3)]
            await kept.session()._session.close()
            return answers

        answers = server.run(three_calls())
    finally:
        server.stop()
    assert answers == [{"events": [], "responses": []}] * 3
    assert len(set(peers)) == 1  # Rasa's own endpoint opens a connection per call
