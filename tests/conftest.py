"""Fixtures shared by every test layer, and the rule that a test's marker is its tier.

tests/unit runs in one process (its conftest refuses child processes); every other
test under tests/ starts processes and says so with ``pytest.mark.integration``, so
``-m integration`` and ``-m "not integration"`` select exactly the two tiers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.duckling_fixtures import duckling_server  # noqa: F401
from tests.servicenow_fixtures import servicenow_emulator, servicenow_emulator_session  # noqa: F401
from tests.twilio_fixtures import (  # noqa: F401
    fake_channel,
    fake_channel_server,
    fresh_twilio_emulator,
    twilio_emulator,
)

TESTS = Path(__file__).parent
UNIT = TESTS / "unit"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail the run when a test under tests/ is marked for the wrong tier."""
    wrong = []
    for item in items:
        path = item.path
        if not path.is_relative_to(TESTS):
            continue
        marked = item.get_closest_marker("integration") is not None
        if marked == path.is_relative_to(UNIT):
            wrong.append(item.nodeid)
    if wrong:
        raise pytest.UsageError(
            "tests/unit is never marked integration, every other test under tests/ is: "
            + ", ".join(wrong[:5])
        )
