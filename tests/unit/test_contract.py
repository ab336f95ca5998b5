"""Every name the channel and the actions share exists in the domain."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from rasa_sdk.forms import FormValidationAction

import actions.forms.incident_status
import actions.forms.ticket_form
import contract
from settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "rasa_bot" / "domain.yml").read_text())


INTENTS = {i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]}
ACTIONS = {a if isinstance(a, str) else next(iter(a)) for a in DOMAIN["actions"]}
ENDPOINTS = yaml.safe_load((PROJECT_ROOT / "rasa_bot" / "endpoints.yml").read_text())


def test_shared_intents_are_in_the_domain() -> None:
    assert set(contract.INTENTS) <= INTENTS


def test_shared_responses_actions_slots_and_entities_are_in_the_domain() -> None:
    assert set(contract.RESPONSES) <= set(DOMAIN["responses"])
    assert set(contract.ACTIONS) <= ACTIONS
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


def test_the_domain_goes_only_to_the_form_validations_which_read_it() -> None:
    """rasa-sdk's FormValidationAction finds a form's slots in the domain; nothing else reads it."""
    assert actions.forms.ticket_form and actions.forms.incident_status  # every form validation
    validations = {cls().name() for cls in FormValidationAction.__subclasses__()}
    sent = {
        name
        for action in DOMAIN["actions"]
        if isinstance(action, dict)
        for name, options in action.items()
        if options.get("send_domain")
    }
    assert validations == sent == {"validate_open_incident_form", "validate_incident_status_form"}
    assert ENDPOINTS["action_endpoint"]["enable_selective_domain"] is True
