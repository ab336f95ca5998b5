"""Pytest fixture: our Duckling server, served from the test process on a free loopback port.

Use it from a conftest or a test module::

    from tests.duckling_fixtures import duckling_server  # noqa: F401
"""

from __future__ import annotations

from typing import Iterator

import pytest

from duckling_server.app import create_app
from duckling_server.parser import DucklingParser
from tests.in_process import InProcessServer

DUCKLING_TEST_TIMEZONE = "America/New_York"


@pytest.fixture(scope="session")
def duckling_server() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``) of the ``duckling_server`` app.

    Its default time zone is :data:`DUCKLING_TEST_TIMEZONE`, whatever ``.env`` says.
    """
    parser = DucklingParser(default_timezone=DUCKLING_TEST_TIMEZONE)
    server = InProcessServer(create_app(parser)).start()
    try:
        yield server.base_url
    finally:
        server.stop()
