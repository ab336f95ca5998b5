"""Every name the channel and the actions share exists in the domain."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import contract
from settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "rasa_bot" / "domain.yml").read_text())


def test_shared_intents_are_in_the_domain() -> None:
    assert set(contract.INTENTS) <= set(DOMAIN["intents"])


def test_shared_responses_actions_and_slots_are_in_the_domain() -> None:
    assert set(contract.RESPONSES) <= set(DOMAIN["responses"])
    assert set(contract.ACTIONS) <= set(DOMAIN["actions"])
    assert set(contract.SLOTS) <= set(DOMAIN["slots"])


def test_the_channel_names_no_intent_response_or_slot_outside_the_contract() -> None:
    literal = re.compile(r"""["'](/?(?:utter_\w+|action_(?!endpoint)\w+|request_human))["']""")
    for path in sorted((PROJECT_ROOT / "channels").glob("*.py")):
        found = literal.findall(Path(path).read_text())
        assert not found, f"{path.name} names {found}; use contract.py"
