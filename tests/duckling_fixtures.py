"""Pytest fixture: our Duckling server as a child process on a free loopback port.

Use it from a conftest or a test module::

    from tests.duckling_fixtures import duckling_server  # noqa: F401
"""

from __future__ import annotations

from typing import Iterator

import pytest

from stack.processes import Service, free_port, python_module

DUCKLING_TEST_TIMEZONE = "America/New_York"


@pytest.fixture(scope="session")
def duckling_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``) of ``python -m duckling_server``.

    Its default time zone is :data:`DUCKLING_TEST_TIMEZONE`, whatever ``.env`` says.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    service = Service(
        name="duckling",
        command=python_module("duckling_server", "--host", "127.0.0.1", "--port", str(port)),
        health_url=f"{base_url}/",
        log_path=tmp_path_factory.mktemp("duckling") / "duckling.log",
        env={"LANG": "C.UTF-8", "DUCKLING_TIMEZONE": DUCKLING_TEST_TIMEZONE},
    )
    service.start()
    try:
        service.wait_healthy(timeout=30)
        yield base_url
    finally:
        service.stop()
