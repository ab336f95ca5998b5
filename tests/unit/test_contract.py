"""Every name the channel and the actions share exists in the domain."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import contract
from settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "rasa_bot" / "domain.yml").read_text())


INTENTS = {i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]}


def test_shared_intents_are_in_the_domain() -> None:
    assert set(contract.INTENTS) <= INTENTS


def test_shared_responses_actions_slots_and_entities_are_in_the_domain() -> None:
    assert set(contract.RESPONSES) <= set(DOMAIN["responses"])
    assert set(contract.ACTIONS) <= set(DOMAIN["actions"])
    assert set(contract.SLOTS) <= set(DOMAIN["slots"])
    assert set(contract.ENTITIES) <= set(DOMAIN["entities"])


def test_the_hand_off_outcome_is_no_feature_of_the_conversation() -> None:
    """The outcome picks a sentence; it must not change what the assistant predicts."""
    (failed,) = [
        i for i in DOMAIN["intents"] if isinstance(i, dict) and contract.INTENT_HANDOFF_FAILED in i
    ]
    assert failed[contract.INTENT_HANDOFF_FAILED]["use_entities"] == []


def test_the_channel_and_the_hand_off_name_nothing_outside_the_contract() -> None:
    literal = re.compile(
        r"""["'](/?(?:utter_\w+|action_(?!endpoint)\w+|request_human|handoff_failed|"""
        r"""agent_number|handoff_outcome|handoff_summary))["']"""
    )
    for package in ("channels", "handoff"):
        for path in sorted((PROJECT_ROOT / package).glob("*.py")):
            found = literal.findall(Path(path).read_text())
            assert not found, f"{package}/{path.name} names {found}; use contract.py"
