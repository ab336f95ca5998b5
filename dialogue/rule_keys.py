"""Rasa's rule lookup, stopped once every rule left is shorter than the turns looked at.

``RulePolicy._get_possible_keys`` filters the rules against the conversation's
states from the newest back, over every state of the call. A rule of n states
is only ever checked against the last n: past that, Rasa's
``_is_rule_applicable`` keeps every rule, so the rest of the walk (all but the
last three states, with this bot's rules) changes nothing. On a nine-turn call
that walk was most of the rule lookup's time, which ran twice per prediction.
The keys returned are Rasa's, in every case.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import State

rasa_get_possible_keys = RulePolicy._get_possible_keys


def possible_keys(policy: RulePolicy, lookup: dict[str, Any], states: list[State]) -> set[str]:
    """The rules of ``lookup`` whose states match the conversation's last ones."""
    keys = set(lookup)
    longest = max((len(policy._rule_key_to_state(key)) for key in keys), default=0)
    for turn, state in enumerate(reversed(states[-longest:] if longest else [])):
        keys = {key for key in keys if policy._is_rule_applicable(key, turn, state)}
        if not keys:
            break
    return keys


def install() -> None:
    """Every ``RulePolicy`` (the bot's, and any loaded later) looks rules up this way."""
    RulePolicy._get_possible_keys = possible_keys  # type: ignore[method-assign]
