"""What the training page reports from ``rasa test nlu``'s files."""

from __future__ import annotations

import json
from pathlib import Path

from console.review import add_example
from console.training import read_accuracy, read_texts


def test_reviewed_examples_are_compared_as_rasa_reads_them(tmp_path: Path) -> None:
    reviewed = tmp_path / "reviewed.yml"
    add_example(reviewed, "problem_printer", "printer 42 is jammed")
    add_example(reviewed, "out_of_scope", "blorp zink quasar")
    assert read_texts(reviewed) == {"printer 1234 is jammed", "blorp zink quasar"}


def test_accuracy_overall_and_on_the_reviewed_examples(tmp_path: Path) -> None:
    (tmp_path / "intent_report.json").write_text(json.dumps({"accuracy": 0.9876}))
    (tmp_path / "intent_errors.json").write_text(
        json.dumps([{"text": "blorp zink quasar"}, {"text": "some training example"}])
    )
    reviewed = {"blorp zink quasar", "printer 1234 is jammed"}
    assert read_accuracy(tmp_path, reviewed) == (0.988, 0.5)


def test_no_report_means_no_figures(tmp_path: Path) -> None:
    assert read_accuracy(tmp_path, {"anything"}) == (None, None)
