"""The channel's fast check of action server results agrees with Rasa's own schema."""

from __future__ import annotations

import random
from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from channels.assistant import action_result_validator

VALID: list[dict[str, Any]] = [
    {},
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "timestamp": None, "name": "priority", "value": "high"},
            {"event": "active_loop", "name": "ticket_form"},
            {"event": "bot", "text": "What's your email?", "data": {"buttons": []}},
            {"event": "user", "text": "/request_human", "parse_data": {"intent": {}}},
            {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
            {"event": "reset_slots"},
            {"event": "rewind", "timestamp": 1700000000.5},
        ],
        "responses": [{"text": "Hello", "buttons": []}],
    },
]
INVALID: list[Any] = [
    [],
    {"events": "slot"},
    {"events": [{"name": "priority", "value": "high"}]},  # no event name
    {"events": [{"event": "telepathy"}]},  # no such kind
    {"events": [{"event": 7}]},
    {"events": [{"event": "slot", "name": "priority"}]},  # a slot needs its value
    {"events": [{"event": "slot", "name": 3, "value": "x"}]},
    {"events": [{"event": "entities", "entities": "none"}]},
    {"events": [{"event": "bot", "timestamp": "yesterday"}]},
    {"events": [{"event": "action", "name": "x"}, {"event": "user", "text": 5}]},
    {"responses": {"text": "not a list"}},
    {"responses": ["not an object"]},
]


def rasa_accepts(result: Any) -> bool:
    schema = RemoteAction.action_response_format_spec()
    return jsonschema.validators.validator_for(schema)(schema).is_valid(result)


def fast_accepts(result: Any) -> bool:
    try:
        action_result_validator()(result)
    except jsonschema.ValidationError:
        return False
    return True


@pytest.mark.parametrize("result", VALID)
def test_a_result_rasa_accepts_passes(result: dict[str, Any]) -> None:
    assert rasa_accepts(result)
    assert fast_accepts(result)


@pytest.mark.parametrize("result", INVALID)
def test_a_result_rasa_refuses_is_refused_with_a_schema_error(result: Any) -> None:
    assert not rasa_accepts(result)
    assert not fast_accepts(result)


def test_rasa_reports_the_refusal_with_its_own_hint() -> None:
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
        RemoteAction("action_x", None)._validate_action_result({"events": [{"event": "x"}]})


def random_result(rng: random.Random, kinds: list[dict[str, Any]]) -> dict[str, Any]:
    """Events of random kinds (some unknown) whose fields hold values of random types."""
    values = [None, "x", 3, 2.5, True, [], ["a"], {}, {"k": "v"}]
    events = []
    for _ in range(rng.randint(0, 4)):
        kind = rng.choice(kinds)
        name = kind["properties"]["event"]["const"] if rng.random() < 0.9 else "telepathy"
        event: dict[str, Any] = {"event": name}
        for field in kind.get("properties", {}):
            if field != "event" and rng.random() < 0.6:
                event[field] = rng.choice(values)
        for field in ("timestamp", "metadata"):
            if rng.random() < 0.3:
                event[field] = rng.choice(values)
        events.append(event)
    return {"events": events} if rng.random() < 0.95 else {"events": rng.choice(values)}


def test_on_random_results_it_agrees_with_rasas_schema_every_time() -> None:
    rng = random.Random(11)
    schema = RemoteAction.action_response_format_spec()
    kinds = schema["properties"]["events"]["items"]["oneOf"]
    verdicts = [
        (rasa_accepts(r), fast_accepts(r)) for r in (random_result(rng, kinds) for _ in range(400))
    ]
    assert all(rasa == fast for rasa, fast in verdicts)
    accepted = sum(rasa for rasa, _ in verdicts)
    assert 40 < accepted < 360  # both verdicts were tried many times
