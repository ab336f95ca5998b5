"""Labelled turns become Rasa NLU examples without personal data."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from console.review import add_example, anonymise, labels
from settings import PROJECT_ROOT


def test_emails_and_numbers_become_entity_placeholders() -> None:
    assert anonymise("it's alex.doe@corp.com and my desk phone is 555-0100") == (
        "it's [someone@example.com](email) and my desk phone is [1234](number)"
    )
    assert anonymise("alex dot doe at corp dot com") != "alex dot doe at corp dot com"
    assert "4411" not in anonymise("extension 4411")


def test_examples_are_written_in_rasas_format_once_each(tmp_path: Path) -> None:
    path = tmp_path / "reviewed.yml"
    add_example(path, "problem_printer", "the thingy with paper is jammed")
    add_example(path, "problem_printer", "the thingy with paper is jammed")
    add_example(path, "request_human", "can I get a human my number is 5550100")
    data = RasaYAMLReader().reads(path.read_text())
    examples = {(m.get("intent"), m.get("text")) for m in data.intent_examples}
    assert examples == {
        ("problem_printer", "the thingy with paper is jammed"),
        ("request_human", "can I get a human my number is 1234"),
    }
    assert "5550100" not in path.read_text()


def test_labels_are_the_domains_intents_a_caller_can_say() -> None:
    names = labels(PROJECT_ROOT / "rasa_bot" / "domain.yml")
    assert "problem_vpn" in names and "request_human" in names
    assert "handoff_failed" not in names and "nlu_fallback" not in names
