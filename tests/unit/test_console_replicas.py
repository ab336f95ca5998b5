"""A model activated from the console reaches every Rasa replica, not just one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from console.rasa_api import RasaApi, RasaApiError


@pytest.fixture
def rasa_replicas() -> Iterator[list[HTTPServer]]:
    servers = [HTTPServer(host="127.0.0.1", port=0) for _ in range(2)]
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.clear()
        server.stop()


async def test_a_new_model_is_loaded_into_each_replica(rasa_replicas: list[HTTPServer]) -> None:
    for server in rasa_replicas:
        server.expect_oneshot_request(
            "/model", method="PUT", query_string={"token": "t0ken"}, json={"model_file": "/m.tgz"}
        ).respond_with_data("", status=204)
    api = RasaApi("http://balancer.invalid", "t0ken", tuple(s.url_for("") for s in rasa_replicas))
    await api.load_model("/m.tgz")
    for server in rasa_replicas:
        server.check_assertions()
        assert len(server.log) == 1


async def test_a_replica_that_refuses_the_model_is_an_error(
    rasa_replicas: list[HTTPServer],
) -> None:
    rasa_replicas[0].expect_oneshot_request("/model", method="PUT").respond_with_data(
        "", status=204
    )
    rasa_replicas[1].expect_oneshot_request("/model", method="PUT").respond_with_data(
        "no", status=500
    )
    api = RasaApi("http://balancer.invalid", "t0ken", tuple(s.url_for("") for s in rasa_replicas))
    with pytest.raises(RasaApiError, match="HTTP 500"):
        await api.load_model("/m.tgz")
