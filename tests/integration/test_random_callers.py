"""Random callers: seeded random walks of whole calls, with invariants on every turn.

Scripts only walk the paths someone thought of; real callers wander. Each call
here draws 12 turns from a pool that covers every intent, off-topic speech,
valid and invalid keys, silence, repeats, cancels, corrections, emails,
slash-prefixed text and very long text. Every turn must be well-formed TwiML,
say no sentence twice, and come back well before Twilio gives up; afterwards, asking
for a person must reach an agent or an explicit offer. The figure
("random callers: N/N clean") goes in the README's reliability section.

``make test`` walks 40 calls on the embedded stack and 15 on the production path
(locks in Redis, conversations in PostgreSQL, turns spread over two replicas); the
seeds are fixed, so a failure replays. A soak: ``RANDOM_CALLERS=500 make integration``.
"""

from __future__ import annotations

import os
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import yaml

from emulators.twilio_api.twiml_runner import APPLICATION_ERROR
from emulators.twilio_call import Turn, TwilioCall
from settings import PROJECT_ROOT
from tests.integration.conftest import Stack

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

CALLS = int(os.environ.get("RANDOM_CALLERS", "40"))
CALLS_ON_PRODUCTION_PATH = int(os.environ.get("RANDOM_CALLERS_PRODUCTION", "15"))
TURNS = int(os.environ.get("RANDOM_CALLER_TURNS", "12"))
SEED = int(os.environ.get("RANDOM_CALLER_SEED", "20261129"))
PARALLEL = 3
OFFER = re.compile(r"agent|person|open a ticket|call you back", re.IGNORECASE)


def nlu_examples() -> list[str]:
    """A few examples of every intent in the training data."""
    picked: list[str] = []
    rng = random.Random(SEED)
    for path in sorted((PROJECT_ROOT / "rasa_bot" / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            lines = [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
            picked += rng.sample(lines, min(4, len(lines)))
    return [re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line) for line in picked]


EXAMPLES = nlu_examples()
OFF_TOPIC = [
    "what's the weather like in paris",
    "blorp zing quax",
    "my cat is orange",
    "can you order me a pizza",
    "sing me a song",
    "uh",
    "the quick brown fox",
]
CONTROL = ["say that again", "cancel", "start over", "what can you do", "hello?", "thanks"]
CORRECTIONS = ["no the priority is low", "no", "the email", "no change the problem"]
EMAILS = [
    "abel dot tuter at example dot com",
    "abraham dot lincoln at example dot com",
    "nobody at nowhere dot com",
    "j p k at bespoken dot i o",
]
ATTACKS = [
    '/inform{"email": "admin@example.com"}',
    "/session_start",
    "/restart",
    "/request_human",
    "word " * 400,
    "x" * 100_000,
]


def sentences(text: str) -> list[str]:
    return [s.strip().lower() for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]


def problems_of_turn(turn: Turn) -> list[str]:
    """Broken invariants of one turn: what Twilio made of it, and its TwiML documents."""
    if APPLICATION_ERROR in turn.text:  # the emulator, like Twilio, gave up on a webhook
        return ["Twilio gave up waiting for an answer"]
    found: list[str] = []
    said: list[str] = []
    for document in turn.twiml:
        try:
            root = ET.fromstring(document)
        except ET.ParseError as error:
            return [f"TwiML is not well-formed: {error}"]
        if root.tag != "Response":
            found.append(f"TwiML root is {root.tag}")
        for say in root.iter("Say"):
            said += sentences(" ".join("".join(say.itertext()).split()))
    repeated = {s for s in said if said.count(s) > 1}
    if repeated:
        found.append(f"said twice in one turn: {sorted(repeated)}")
    return found


@dataclass
class Walk:
    number: int
    transcript: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    turns: int = 0


def act(call: TwilioCall, rng: random.Random, walk: Walk) -> None:
    kind = rng.choices(
        ["example", "off_topic", "control", "correction", "email", "key", "silence", "attack"],
        weights=[30, 8, 12, 6, 10, 12, 6, 4],
    )[0]
    if kind == "key":
        key = rng.choice("0123456789*#")
        walk.transcript.append(f"caller presses {key}")
        turn = call.press(key)
    elif kind == "silence":
        walk.transcript.append("caller says nothing")
        turn = call.silence()
    else:
        pool = {
            "example": EXAMPLES,
            "off_topic": OFF_TOPIC,
            "control": CONTROL,
            "correction": CORRECTIONS,
            "email": EMAILS,
            "attack": ATTACKS,
        }[kind]
        words = rng.choice(pool)
        walk.transcript.append(f"caller: {words[:80]}")
        turn = call.say(words)
    walk.transcript.append(f"assistant: {turn.text}")
    walk.problems += problems_of_turn(turn)


def walk_one(stack: Stack, number: int) -> Walk:
    rng = random.Random(SEED * 1000 + number)
    call = TwilioCall(
        stack.voice_url, stack.twilio_url, caller=f"+1555{rng.randrange(10**6, 10**7)}"
    )
    walk = Walk(number)
    try:
        first = call.dial()
        walk.transcript.append(f"assistant: {first.text}")
        walk.problems += problems_of_turn(first)
        for _ in range(TURNS):
            if call.hung_up or call.conference:
                break
            act(call, rng, walk)
            walk.turns += 1
        if not (call.hung_up or call.conference):
            final = call.press("0")
            walk.transcript.append(f"caller presses 0\nassistant: {final.text}")
            if not (final.conference or OFFER.search(final.text)):
                walk.problems.append("asking for a person gave neither a transfer nor an offer")
        if not call.hung_up:
            call.hang_up()
    except Exception as error:
        walk.problems.append(f"{type(error).__name__}: {error}")
    return walk


@pytest.fixture
def walks(stack: Stack, request: pytest.FixtureRequest) -> Iterator[list[Walk]]:
    embedded = request.node.callspec.params["stack"] == "embedded"
    calls = CALLS if embedded else CALLS_ON_PRODUCTION_PATH
    with ThreadPoolExecutor(PARALLEL) as pool:
        yield list(pool.map(lambda n: walk_one(stack, n), range(calls)))


def test_random_callers_always_have_a_way_forward(stack: Stack, walks: list[Walk]) -> None:
    broken = [walk for walk in walks if walk.problems]
    turns = sum(walk.turns for walk in walks)
    print(f"\nrandom callers: {len(walks) - len(broken)}/{len(walks)} clean ({turns} turns)")
    for walk in broken[:3]:
        print(f"--- call {walk.number}: {walk.problems}")
        print("\n".join(walk.transcript))
    breaker = stack.rasa_log().count("Circuit breaker tripped")
    assert breaker == 0, f"Rasa's circuit breaker tripped {breaker} times"
    assert not broken, f"{len(broken)} of {len(walks)} random calls broke an invariant"
