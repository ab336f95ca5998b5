"""Exactly one incident per confirmed request, through every failure in chaos.scenarios.

The same scenarios as ``make chaos``, with shorter waits (a 10 s outage, an 8 s
settle time), asserting the exact number of incidents and what the caller heard.
"""

from __future__ import annotations

import pytest

from chaos.scenarios import SCENARIOS, Timing
from tests.integration.conftest import SETTLE_SECONDS, SNOW_TIMEOUT_SECONDS, Stack

pytestmark = [pytest.mark.integration]

TIMING = Timing(
    outage_seconds=10.0,
    settle_seconds=SETTLE_SECONDS,
    client_timeout_seconds=SNOW_TIMEOUT_SECONDS,
)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_exactly_the_expected_incidents_and_a_true_answer(name: str, servicenow_ok: Stack) -> None:
    outcome = SCENARIOS[name](servicenow_ok, TIMING)
    counts = f"{outcome.created}/{outcome.expected} incidents"
    print(f"\n{outcome.scenario}: {counts}; heard: {outcome.heard}")
    assert outcome.problems == []
    assert outcome.created == outcome.expected
