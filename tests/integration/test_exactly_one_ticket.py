"""Exactly one incident per confirmed request, through every failure in chaos.scenarios.

The same scenarios as ``make chaos``, with shorter waits (a 5 s outage, an 8 s
settle time), asserting the exact number of incidents and what the caller heard.
The ticket outbox and the stored webhook replies live in the tracker database, so
every scenario runs on the embedded stack and on the production path, except Rasa
killed mid-turn: behind nginx there is no single Rasa to kill, and a replica killed
mid-call is test_production_stores.py's.
"""

from __future__ import annotations

import pytest

from chaos.scenarios import SCENARIOS, Timing
from tests.integration.conftest import SETTLE_SECONDS, SNOW_TIMEOUT_SECONDS, Stack
from tests.stacks import KINDS

pytestmark = [pytest.mark.integration]

TIMING = Timing(
    outage_seconds=5.0,
    settle_seconds=SETTLE_SECONDS,
    client_timeout_seconds=SNOW_TIMEOUT_SECONDS,
)
CASES = [
    pytest.param(name, kind, id=f"{name}-{kind}")
    for kind in KINDS
    for name in SCENARIOS
    if not (name == "rasa_killed" and kind == "postgres")
]


@pytest.mark.parametrize(("name", "stack"), CASES, indirect=["stack"])
def test_exactly_the_expected_incidents_and_a_true_answer(name: str, servicenow_ok: Stack) -> None:
    outcome = SCENARIOS[name](servicenow_ok, TIMING)
    counts = f"{outcome.created}/{outcome.expected} incidents"
    print(f"\n{outcome.scenario}: {counts}; heard: {outcome.heard}")
    assert outcome.problems == []
    assert outcome.created == outcome.expected
