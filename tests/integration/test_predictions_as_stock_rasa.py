"""Rasa as calls use it (:mod:`dialogue`) understands and predicts what stock Rasa does.

Stock Rasa: its dask runner and its replayed dialogue states. Ours: the graph
in a loop, and the states kept per conversation. Both load the project's
trained model. NLU: the training sentences and fuzzed lines go through both.
Dialogue: random walks where, after every action predicted, the caller says a
random intent (with the domain's entities), forms start and stop, and undo
events come; at every step both must predict the same thing, down to every
action's probability.
"""

from __future__ import annotations

import random
import string
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.loader import load_predict_graph_runner
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.runner.interface import GraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data

from dialogue import states
from dialogue.graph_runner import SequentialGraphRunner
from scripts.train_model import BOT, cached_model
from tests.duckling_fixtures import duckling_server  # noqa: F401 - a fixture

pytestmark = [pytest.mark.integration]

WALKS, STEPS = 12, 60


@pytest.fixture(scope="module")
def runners(duckling_server: str) -> Iterator[tuple[Any, GraphRunner, GraphRunner]]:  # noqa: F811
    """(the model's metadata, Rasa's dask runner, the sequential runner) on one model."""
    model, _ = cached_model()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RASA_DUCKLING_HTTP_URL", duckling_server)
        with tempfile.TemporaryDirectory() as dask, tempfile.TemporaryDirectory() as loop:
            metadata, rasa = load_predict_graph_runner(
                Path(dask), model, LocalModelStorage, DaskGraphRunner
            )
            _, ours = load_predict_graph_runner(
                Path(loop), model, LocalModelStorage, SequentialGraphRunner
            )
            yield metadata, rasa, ours


def _sentences() -> list[str]:
    """Every training example of the bot, as its text (Rasa strips the entity markup)."""
    return [example.get("text") for example in load_data(str(BOT / "data" / "nlu")).intent_examples]


def _fuzzed(rng: random.Random, count: int) -> list[str]:
    alphabet = string.ascii_letters + string.digits + string.punctuation + " éü中🙂\t"
    return ["", " ", *("".join(rng.choices(alphabet, k=rng.randint(1, 60))) for _ in range(count))]


def _parse(runner: GraphRunner, metadata: Any, text: str) -> dict[str, Any]:
    tracker = DialogueStateTracker("nlu", [])
    message = UserMessage(text, sender_id="nlu")
    results = runner.run(
        inputs={PLACEHOLDER_MESSAGE: [message], PLACEHOLDER_TRACKER: tracker},
        targets=[metadata.nlu_target],
    )
    (parsed,) = results[metadata.nlu_target]
    return parsed.as_dict(only_output_properties=True)


def test_nlu_is_the_same_on_every_training_sentence_and_fuzzed_line(runners) -> None:
    metadata, rasa, ours = runners
    texts = _sentences() + _fuzzed(random.Random(7), 60)
    assert len(texts) > 200
    for text in texts:
        assert _parse(ours, metadata, text) == _parse(rasa, metadata, text), text


@contextmanager
def _rasa_with(dialogue_states: Callable[..., Any]) -> Iterator[None]:
    """Rasa's domains answering with these states for the block, whatever was installed before."""
    saved = Domain.states_for_tracker_history
    Domain.states_for_tracker_history = dialogue_states  # type: ignore[method-assign]
    try:
        yield
    finally:
        Domain.states_for_tracker_history = saved


def _predict(runner: GraphRunner, metadata: Any, tracker: DialogueStateTracker) -> Any:
    return runner.run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=[metadata.core_target])[
        metadata.core_target
    ]


def _stock(runner: GraphRunner, metadata: Any, tracker: DialogueStateTracker) -> Any:
    with _rasa_with(states.rasa_states_for_tracker_history):
        return _predict(runner, metadata, tracker)


def _ours(
    kept: states.DialogueStates, runner: GraphRunner, metadata: Any, tracker: DialogueStateTracker
) -> Any:
    def kept_states(domain: Domain, *args: Any, **kwargs: Any) -> Any:
        return kept(domain, *args, **kwargs)

    with _rasa_with(kept_states):
        return _predict(runner, metadata, tracker)


def _caller_says(rng: random.Random, domain: Domain, tracker: DialogueStateTracker) -> None:
    intent = rng.choice(domain.intents)
    entities = [
        {"entity": name, "value": f"v{rng.randint(0, 3)}", "start": 0, "end": 1}
        for name in rng.sample(domain.entities, k=min(len(domain.entities), rng.randint(0, 2)))
    ]
    parse = {"intent": {"name": intent, "confidence": rng.random()}, "entities": entities}
    tracker.update(UserUttered(f"said {intent}", parse["intent"], entities, parse))


def _walk(seed: int, metadata: Any, rasa: GraphRunner, ours: GraphRunner) -> list[str]:
    """One random conversation; returns the policy that made each prediction compared."""
    rng, domain, kept = random.Random(seed), metadata.domain, states.DialogueStates()
    tracker = DialogueStateTracker.from_events(
        f"walk-{seed}",
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        domain.slots,
    )
    compared: list[str] = []
    for _ in range(STEPS):
        if tracker.latest_action_name == "action_listen":
            _caller_says(rng, domain, tracker)
        expected = _stock(rasa, metadata, tracker)
        got = _ours(kept, ours, metadata, tracker)
        assert got == expected, (seed, len(compared), [e.as_dict() for e in tracker.events][-6:])
        compared.append(str(got.policy_name))
        action = domain.action_names_or_texts[got.max_confidence_index]
        tracker.update(ActionExecuted(action, got.policy_name, got.max_confidence))
        roll = rng.random()
        if action in domain.form_names and roll < 0.6:
            tracker.update(ActiveLoop(action))
            required = list(domain.forms[action].get("required_slots", [])) or ["none"]
            tracker.update(SlotSet("requested_slot", rng.choice(required)))
        elif roll < 0.1:
            tracker.update(ActiveLoop(None))
        elif roll < 0.15:
            tracker.update(UserUtteranceReverted())
        elif roll < 0.2:
            tracker.update(ActionReverted())
        if tracker.latest_action_name != "action_listen" and rng.random() < 0.4:
            tracker.update(ActionExecuted("action_listen"))
    return compared


def test_predictions_are_the_same_on_random_conversations(runners) -> None:
    metadata, rasa, ours = runners
    by_policy = Counter(p for seed in range(WALKS) for p in _walk(seed, metadata, rasa, ours))
    print(f"predictions over {WALKS} random conversations, by policy: {by_policy}")
    assert sum(by_policy.values()) == WALKS * STEPS
    assert {"RulePolicy", "MemoizationPolicy"} <= {name.split("_")[-1] for name in by_policy}


def test_each_target_set_is_planned_once_and_an_unknown_input_fails_as_under_dask(
    runners,
) -> None:
    metadata, _, ours = runners
    _parse(ours, metadata, "my vpn is down")
    plan = ours._plans[(metadata.nlu_target,)]
    _parse(ours, metadata, "my printer is jammed")
    assert ours._plans[(metadata.nlu_target,)] is plan
    assert set(ours._plans) <= {(metadata.nlu_target,), (metadata.core_target,)}
    with pytest.raises(Exception) as raised_by_ours:
        ours.run(inputs={}, targets=[metadata.nlu_target])
    with pytest.raises(Exception) as raised_by_rasa:
        runners[1].run(inputs={}, targets=[metadata.nlu_target])
    assert type(raised_by_ours.value) is type(raised_by_rasa.value)
    assert "Missing input" in str(raised_by_ours.value.__cause__ or raised_by_ours.value)


def test_a_model_rasa_loads_runs_in_the_loop(duckling_server: str) -> None:  # noqa: F811
    import rasa.core.processor
    from rasa.core.agent import Agent

    from dialogue import graph_runner

    before = rasa.core.processor.DaskGraphRunner
    try:
        graph_runner.install()
        agent = Agent.load(str(cached_model()[0]))
    finally:
        rasa.core.processor.DaskGraphRunner = before
    assert isinstance(agent.processor.graph_runner, SequentialGraphRunner)
    assert agent.processor.graph_runner._plans == {}  # nothing parsed or predicted yet
