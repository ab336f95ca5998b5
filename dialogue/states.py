"""Rasa's dialogue states of a conversation, extended by its new events, not replayed.

Each prediction asks ``Domain.states_for_tracker_history`` for the state before
every action of the conversation so far, once per policy, several times a turn.
Rasa answers by replaying every event on a fresh tracker each time, so a
turn's cost grew with the call's length. Here each conversation's replay is
kept with the states it produced, and the next question replays only the
events added since. When the applied events are not the kept ones plus new
ones (an undo, a restart, another tracker of the same caller), the replay
starts over, as Rasa's does. The states handed out are copies: policies edit
them in place.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

KEPT_REPLAYS = 512  # conversations x the (two) ways policies ask
# Rasa's own, taken before install() can replace it (tests compare against it).
rasa_states_for_tracker_history = Domain.states_for_tracker_history


@dataclass
class _Replay:
    """One conversation replayed up to ``events``, with the loop's state after them."""

    domain: Domain
    events: list[Event]
    tracker: DialogueStateTracker
    states: list[State] = field(default_factory=list)
    last_ml_action: dict[str, Any] | None = None
    turn_hidden: bool = False
    # The caller's message in the last kept state, and how it was to be featurized
    # then: Rasa's DefinePrevUserUtteredFeaturization changes that message in place.
    message: Any = None
    featurized_by_text: bool | None = None


class DialogueStates:
    """``Domain.states_for_tracker_history`` with each conversation's replay kept."""

    def __init__(self, kept: int = KEPT_REPLAYS) -> None:
        self._kept = kept
        self._replays: OrderedDict[Hashable, _Replay] = OrderedDict()
        self._lock = threading.Lock()
        self.replayed_events = 0  # events replayed so far: what the tests count

    def __call__(
        self,
        domain: Domain,
        tracker: DialogueStateTracker,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        key = (
            tracker.sender_id,
            tracker.is_rule_tracker,
            omit_unset_slots,
            ignore_rule_only_turns,
            json.dumps(rule_only_data, sort_keys=True, default=str),
        )
        applied = tracker.applied_events()
        with self._lock:
            replay = self._replays.pop(key, None)
        if replay is None or not _continues(replay, domain, applied):
            replay = _Replay(domain, [], tracker.init_copy())
        rule_only = rule_only_data if ignore_rule_only_turns else None
        for event in applied[len(replay.events) :]:
            if isinstance(event, ActionExecuted):
                hidden = event.hide_rule_turn
                _step(replay, hidden, omit_unset_slots, ignore_rule_only_turns, rule_only)
            replay.tracker.update(event)
        self.replayed_events += len(applied) - len(replay.events)
        replay.events = list(applied)
        # The state after the last event is the question's own: it is not kept.
        final = _Replay(domain, [], replay.tracker, list(replay.states))
        final.last_ml_action, final.turn_hidden = replay.last_ml_action, replay.turn_hidden
        _step(final, False, omit_unset_slots, ignore_rule_only_turns, rule_only)
        with self._lock:
            self._replays[key] = replay
            while len(self._replays) > self._kept:
                self._replays.popitem(last=False)
        return [{kind: _copied(sub) for kind, sub in state.items()} for state in final.states]


def _continues(replay: _Replay, domain: Domain, applied: list[Event]) -> bool:
    """Whether ``applied`` is the replayed events (the same objects) plus newer ones,
    and the kept states still describe them."""
    kept = replay.events
    if replay.domain is not domain or len(applied) < len(kept):
        return False
    message = replay.message
    if message is not None and message.use_text_for_featurization != replay.featurized_by_text:
        return False  # a kept state shows the message as it was
    return all(new is old for new, old in zip(applied, kept, strict=False))


def _step(
    replay: _Replay,
    hide_rule_turn: bool,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: dict[str, Any] | None,
) -> None:
    """One pass of Rasa's loop in ``states_for_tracker_history`` (Rasa 3.6), on the
    replay's tracker as it stands before the next action."""
    domain, tracker = replay.domain, replay.tracker
    if ignore_rule_only_turns:
        if not replay.turn_hidden:
            replay.last_ml_action = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and tracker.latest_action_name != tracker.active_loop_name:
            replay.turn_hidden = hide_rule_turn
        if replay.turn_hidden:
            return
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if replay.states:
            domain._substitute_rule_only_user_input(state, replay.states[-1])
        if replay.last_ml_action:
            state[PREVIOUS_ACTION] = replay.last_ml_action
    replay.states.append(domain._clean_state(state))
    replay.message = tracker.latest_message
    replay.featurized_by_text = getattr(replay.message, "use_text_for_featurization", None)


def _copied(sub_state: Any) -> Any:
    return dict(sub_state) if isinstance(sub_state, dict) else sub_state


def install() -> DialogueStates:
    """Makes every ``Domain`` answer from kept replays; returns the one kept set."""
    states = DialogueStates()

    def states_for_tracker_history(self: Domain, *args: Any, **kwargs: Any) -> list[State]:
        return states(self, *args, **kwargs)  # Rasa's arguments, in Rasa's order

    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
    return states
