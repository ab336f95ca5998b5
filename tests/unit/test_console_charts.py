"""The home page's SVG pictures: valid SVG, right numbers, callers' words escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from console.charts import bars, figures, home_charts, turn_times

NOW = 100 * 3600.0


def call(hours_ago: float, outcome: str, turns: list[dict] | None = None) -> dict:
    return {"started": NOW - hours_ago * 3600, "outcome": outcome, "detail": {"turns": turns or []}}


def test_calls_are_counted_per_hour_and_per_outcome() -> None:
    numbers = figures(
        [call(0.1, "ticket"), call(0.5, "transfer"), call(3.2, "ticket"), call(30, "ticket")],
        now=NOW,
    )
    assert numbers["hours"][23] == 2 and numbers["hours"][20] == 1 and sum(numbers["hours"]) == 3
    assert numbers["outcomes"] == {"ticket": 2, "transfer": 1, "hung up": 0, "silence": 0}


def test_turn_time_is_from_the_caller_to_the_first_answer() -> None:
    turns = [
        {"speaker": "caller", "at": 10.0},
        {"speaker": "assistant", "at": 10.2},
        {"speaker": "assistant", "at": 11.0},
        {"speaker": "caller", "at": 20.0},
        {"speaker": "assistant", "at": 20.5},
    ]
    assert [round(t, 2) for t in turn_times(turns)] == [0.2, 0.5]


def test_every_chart_is_well_formed_svg_and_escapes_phrases() -> None:
    for svg in home_charts([call(1, "silence")], [("<script>alert(1)</script>", 3)]):
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
    assert "<script>" not in bars("phrases", [("<script>", 1.0)])
