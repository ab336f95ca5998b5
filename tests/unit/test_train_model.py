"""The model is retrained exactly when what training reads has changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from scripts.train_model import BOT, fingerprint


def copy_of_bot(tmp_path: Path) -> Path:
    target = tmp_path / "rasa_bot"
    for name in ("config.yml", "domain.yml"):
        target.mkdir(exist_ok=True)
        shutil.copy(BOT / name, target / name)
    shutil.copytree(BOT / "data", target / "data")
    return target


def test_unchanged_inputs_keep_the_fingerprint(tmp_path: Path) -> None:
    assert fingerprint(copy_of_bot(tmp_path)) == fingerprint(BOT)


def test_a_changed_nlu_example_changes_the_fingerprint(tmp_path: Path) -> None:
    bot = copy_of_bot(tmp_path)
    nlu = next((bot / "data" / "nlu").glob("*.yml"))
    nlu.write_text(nlu.read_text() + "\n# one more example\n")
    assert fingerprint(bot) != fingerprint(BOT)


def test_a_changed_config_changes_the_fingerprint(tmp_path: Path) -> None:
    bot = copy_of_bot(tmp_path)
    config = bot / "config.yml"
    config.write_text(config.read_text().replace("max_history: 4", "max_history: 5"))
    assert fingerprint(bot) != fingerprint(BOT)


def test_files_outside_the_training_inputs_do_not_count(tmp_path: Path) -> None:
    bot = copy_of_bot(tmp_path)
    (bot / "endpoints.yml").write_text("action_endpoint: {url: http://elsewhere}\n")
    (bot / "models").mkdir()
    (bot / "models" / "old.tar.gz").write_bytes(b"x")
    assert fingerprint(bot) == fingerprint(BOT)
