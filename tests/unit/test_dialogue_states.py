"""Kept replays give Rasa's dialogue states exactly, while replaying only new events."""

from __future__ import annotations

import random
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    DefinePrevUserUtteredFeaturization,
    Event,
    FollowupAction,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from dialogue.states import DialogueStates, rasa_states_for_tracker_history
from settings import PROJECT_ROOT

DOMAIN = Domain.load(PROJECT_ROOT / "rasa_bot" / "domain.yml")
RASA_STATES = rasa_states_for_tracker_history  # Rasa's own, whatever is installed since
RULE_ONLY = {"rule_only_slots": ["confirm"], "rule_only_loops": ["incident_status_form"]}
ASKS = [  # the ways Rasa's policies ask (memoization, rules) and two more
    {},
    {"omit_unset_slots": True},
    {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY},
    {"omit_unset_slots": True, "ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY},
]


def _slot_value(rng: random.Random, name: str) -> Any:
    slot = next(s for s in DOMAIN.slots if s.name == name)
    kind = type(slot).__name__
    if kind == "BooleanSlot":
        return rng.choice([True, False, None])
    if kind == "CategoricalSlot":
        return rng.choice([*slot.values, None])
    if kind == "ListSlot":
        return rng.choice([["a1"], [], None])
    return rng.choice(["x", "someone@example.com", None])


def _event(rng: random.Random) -> Event:
    roll = rng.random()
    if roll < 0.35:
        action = rng.choice(["action_listen", *DOMAIN.action_names_or_texts[:40]])
        return ActionExecuted(action, hide_rule_turn=rng.random() < 0.3)
    if roll < 0.55:
        intent = rng.choice(DOMAIN.intents)
        entities = [{"entity": "email", "value": "a@b.c"}] if rng.random() < 0.2 else []
        return UserUttered(rng.choice(["help", "my vpn", None]), {"name": intent}, entities)
    if roll < 0.75:
        name = rng.choice([s.name for s in DOMAIN.slots])
        return SlotSet(name, _slot_value(rng, name))
    if roll < 0.83:
        return ActiveLoop(rng.choice([*DOMAIN.form_names, None]))
    if roll < 0.88:
        return DefinePrevUserUtteredFeaturization(rng.random() < 0.5)
    if roll < 0.92:
        return FollowupAction(rng.choice(DOMAIN.action_names_or_texts[:40]))
    if roll < 0.96:
        return UserUtteranceReverted()
    if roll < 0.99:
        return ActionReverted()
    return Restarted()


def _tracker(events: list[Event], sender: str = "call") -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, list(events), DOMAIN.slots)


@pytest.mark.parametrize("seed", range(12))
def test_a_random_conversation_gets_rasas_states_after_every_event(seed: int) -> None:
    rng, kept, events = random.Random(seed), DialogueStates(), []
    for _ in range(120):
        events.append(_event(rng))
        tracker = _tracker(events)
        for ask in ASKS:
            assert kept(DOMAIN, tracker, **ask) == RASA_STATES(DOMAIN, tracker, **ask), (
                f"seed {seed}, event {len(events)} ({events[-1]}), {ask}"
            )


def test_each_question_replays_only_the_new_events() -> None:
    rng, kept, events = random.Random(7), DialogueStates(), []
    while len(events) < 200:
        event = _event(rng)
        if not isinstance(event, UserUtteranceReverted | ActionReverted | Restarted):
            events.append(event)
            kept(DOMAIN, _tracker(events))
    assert kept.replayed_events == 200  # Rasa's way: 1 + 2 + ... + 200 = 20,100


def test_an_undo_replays_from_the_start_and_still_agrees() -> None:
    kept = DialogueStates()
    events: list[Event] = [
        ActionExecuted("action_listen"),
        UserUttered("my vpn", {"name": DOMAIN.intents[0]}),
        ActionExecuted(DOMAIN.action_names_or_texts[0]),
        ActionExecuted("action_listen"),
        UserUttered("hm", {"name": DOMAIN.intents[1]}),
    ]
    kept(DOMAIN, _tracker(events))
    tracker = _tracker([*events, UserUtteranceReverted()])
    assert kept(DOMAIN, tracker) == RASA_STATES(DOMAIN, tracker)
    assert kept.replayed_events == 5 + 3  # the kept replay went past the undo: anew


def test_a_policy_editing_the_states_it_got_changes_nothing_kept() -> None:
    kept = DialogueStates()
    events: list[Event] = [
        ActionExecuted("action_listen"),
        UserUttered("my vpn", {"name": DOMAIN.intents[0]}),
    ]
    for state in kept(DOMAIN, _tracker(events)):
        for sub_state in state.values():
            sub_state.clear()
    events.append(ActionExecuted(DOMAIN.action_names_or_texts[0]))
    tracker = _tracker(events)
    assert kept(DOMAIN, tracker) == RASA_STATES(DOMAIN, tracker)


def test_callers_and_domains_are_kept_apart() -> None:
    kept, other = DialogueStates(), Domain.load(PROJECT_ROOT / "rasa_bot" / "domain.yml")
    events: list[Event] = [ActionExecuted("action_listen"), SlotSet("email", "a@b.c")]
    first = _tracker(events, "first")
    kept(DOMAIN, first)
    second = _tracker([ActionExecuted("action_listen")], "second")
    assert kept(DOMAIN, second) == RASA_STATES(DOMAIN, second)
    assert kept(other, first) == RASA_STATES(other, first)  # a swapped model: replayed anew
    assert kept.replayed_events == 2 + 1 + 2
