"""The channel's fast check of action server results agrees with Rasa's own schema."""

from __future__ import annotations

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
