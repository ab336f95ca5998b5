"""NLU accuracy on held-out sentences, so speed is never bought with understanding.

The held-out sentences are the user turns of the Rasa test stories
(``rasa_bot/tests/``), written as speech recognition returns them and labelled
with their intent, minus any sentence that is also a training example. Each is
parsed by a running bot's ``/model/parse`` (Rasa's HTTP API), so the figure is
that of the model the bot serves; a sentence the fallback classifier rejects
counts as wrong.
"""

from __future__ import annotations

import requests
import yaml

from settings import PROJECT_ROOT
from stack.processes import Service

BOT = PROJECT_ROOT / "rasa_bot"
PARSE_TIMEOUT_SECONDS = 30.0


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def held_out() -> list[tuple[str, str]]:
    """(sentence, intent) of every labelled user turn in the test stories, not trained on."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = load_data(str(BOT / "data" / "nlu")).intent_examples
    trained = {_normal(example.get("text")) for example in examples}
    found: dict[str, str] = {}
    for path in sorted((BOT / "tests").glob("*.yml")):
        for story in yaml.safe_load(path.read_text()).get("stories", []):
            for step in story.get("steps", []):
                text, intent = step.get("user"), step.get("intent")
                if text and intent and _normal(text) not in trained:
                    found.setdefault(_normal(text), intent)
    return sorted(found.items())


def correct(rasa: Service, examples: list[tuple[str, str]]) -> int:
    """How many sentences the model of a running Rasa process gives their labelled intent."""
    right = 0
    with requests.Session() as session:
        for text, intent in examples:
            reply = session.post(
                f"http://127.0.0.1:{rasa.port}/model/parse",
                params={"token": rasa.env["RASA_API_TOKEN"]},
                json={"text": text},
                timeout=PARSE_TIMEOUT_SECONDS,
            )
            reply.raise_for_status()
            right += reply.json()["intent"]["name"] == intent
    return right
