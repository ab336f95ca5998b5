"""Take-over from the console: one request to the voice channel, in the Rasa process.

The console has no Twilio client; it asks the channel's ``/takeover`` route
(with Rasa's API token) to ring its operator. An HTTP fake plays that route.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from console.rasa_api import RasaApi, RasaApiError

CALL_SID = "CA" + "5" * 32
OPERATOR = "+15555550177"
ROUTE = "/webhooks/twilio_voice/takeover"


@pytest.fixture
def rasa() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


async def test_the_operator_is_named_to_the_channel_with_rasas_token(rasa: HTTPServer) -> None:
    rasa.expect_oneshot_request(
        ROUTE,
        method="POST",
        query_string={"token": "t0ken"},
        json={"call_sid": CALL_SID, "operator_phone": OPERATOR},
    ).respond_with_json({"said": ["I'm bringing in a colleague. Please hold."], "ringing": True})
    taken = await RasaApi(rasa.url_for(""), "t0ken").take_over(CALL_SID, OPERATOR)
    rasa.check_assertions()
    assert taken.ringing
    assert taken.said == ["I'm bringing in a colleague. Please hold."]


async def test_a_refused_take_over_is_an_error_that_names_no_token(rasa: HTTPServer) -> None:
    rasa.expect_oneshot_request(ROUTE, method="POST").respond_with_json({"error": "no"}, status=403)
    with pytest.raises(RasaApiError, match="take the call over: HTTP 403") as raised:
        await RasaApi(rasa.url_for(""), "t0ken").take_over(CALL_SID, OPERATOR)
    assert "t0ken" not in str(raised.value)
