"""Labelled caller turns become Rasa NLU examples in ``rasa_bot/data/nlu/reviewed.yml``.

What a caller said may hold their email or numbers (phone, ticket, employee id);
those are replaced by entity placeholders before anything is written, so the
training data never holds personal data. The file is rewritten whole, sorted,
in Rasa's own format, so reviewing twice never duplicates an example.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# A spoken email as the recogniser writes it: "alex at example dot com".
SPOKEN_EMAIL = re.compile(r"\b[\w.+-]+ at [\w-]+(?: dot [\w-]+)+\b", re.IGNORECASE)
NUMBER = re.compile(r"\b\d[\d\s-]*\d\b|\b\d\b")
EMAIL_PLACEHOLDER = "[someone@example.com](email)"
NUMBER_PLACEHOLDER = "[1234](number)"
NOT_LABELS = frozenset({"nlu_fallback", "handoff_failed"})


def anonymise(text: str) -> str:
    """``my email is alex@corp.com, ext 4411`` -> placeholders for both."""
    text = EMAIL.sub(EMAIL_PLACEHOLDER, text)
    text = SPOKEN_EMAIL.sub(EMAIL_PLACEHOLDER, text)
    parts = re.split(r"(\[[^\]]*\]\([a-z_]+\))", text)  # leave placeholders alone
    return "".join(p if p.startswith("[") else NUMBER.sub(NUMBER_PLACEHOLDER, p) for p in parts)


def labels(domain_path: Path) -> list[str]:
    """Intents an operator may choose: the domain's, minus the ones nobody says."""
    domain = yaml.safe_load(domain_path.read_text()) or {}
    names = [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])]
    return [n for n in names if n not in NOT_LABELS]


def read_examples(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    examples: dict[str, list[str]] = {}
    for block in data.get("nlu") or []:
        lines = str(block.get("examples") or "").splitlines()
        found = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
        examples.setdefault(str(block["intent"]), []).extend(found)
    return examples


def render(examples: dict[str, list[str]]) -> str:
    lines = [
        "# Caller turns labelled in the agent console (console/review.py); emails and",
        "# numbers are placeholders. Rewritten by the console: edit with care.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent in sorted(examples):
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {example}" for example in sorted(set(examples[intent]))]
    return "\n".join(lines) + "\n"


def add_example(path: Path, intent: str, text: str) -> str:
    """Appends ``text`` (anonymised) under ``intent``; returns the example as written."""
    example = " ".join(anonymise(text).split())
    if not example:
        raise ValueError("nothing to learn from an empty turn")
    examples = read_examples(path)
    examples.setdefault(intent, []).append(example)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(render(examples))
    temporary.replace(path)
    return example
