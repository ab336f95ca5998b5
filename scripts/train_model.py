"""Train the Rasa model only when its inputs changed.

The fingerprint covers config.yml, domain.yml, every file under data/ and the
Rasa version. Trained models are kept in ~/.cache/helpdesk-voice/models by
fingerprint, so a fresh clone with unchanged data reuses the model at once.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from settings import PROJECT_ROOT
from settings.tooling import ModelCacheSettings

BOT = PROJECT_ROOT / "rasa_bot"
CURRENT_MODEL = BOT / "models" / "current.tar.gz"
TRAINING_INPUTS = ("config.yml", "domain.yml", "data")


def cache_dir() -> Path:
    return ModelCacheSettings.from_env().models_dir


def fingerprint(bot: Path = BOT, config: Path | None = None) -> str:
    """A hash of everything training reads, plus the Rasa version.

    ``config`` stands in for the bot's config.yml (the benchmark's stock
    baseline trains this project's domain and data with its own configuration).
    """
    from rasa import __version__ as rasa_version

    digest = hashlib.sha256(f"rasa=={rasa_version}\n".encode())
    for name in TRAINING_INPUTS:
        path = config if config is not None and name == "config.yml" else bot / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            label = name if file == path else f"{name}/{file.relative_to(path)}"
            digest.update(label.encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def train(config: Path, out: Path, name: str) -> Path:
    """Trains ``out/name.tar.gz`` from ``config`` and the bot's domain and data.

    Rasa reads a copy of ``config``: when pipeline or policies are left empty,
    it writes the defaults it chose into the file as comments, and the given
    file must stay as it is.
    """
    copy = out / "config.yml"
    shutil.copyfile(config, copy)
    subprocess.run(  # noqa: S603 - our own command line
        [
            sys.executable, "-m", "rasa", "train",
            "--config", str(copy), "--domain", "domain.yml", "--data", "data",
            "--out", str(out), "--fixed-model-name", name,
        ],
        cwd=BOT,
        check=True,
    )  # fmt: skip
    return out / f"{name}.tar.gz"


def cached_model(config: Path | None = None, force: bool = False) -> tuple[Path, bool]:
    """The cached model trained on the current inputs (``config`` for the bot's
    config.yml), and whether it had to be trained just now."""
    key = fingerprint(config=config)
    cached = cache_dir() / f"{key}.tar.gz"
    if cached.exists() and not force:
        print(f"model {key} is up to date (cached)")
        return cached, False
    print(f"training model {key} (inputs changed or no cached model)")
    with tempfile.TemporaryDirectory() as out:
        trained = train(config or BOT / "config.yml", Path(out), key)
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(trained, cached)
    return cached, True


def ensure_model(force: bool = False, install: Path = CURRENT_MODEL) -> Path:
    """The bot's model trained on the current inputs (only if needed), copied to
    ``install``, the path the stack serves."""
    cached, _ = cached_model(force=force)
    install.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, install)
    return install


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    parser.add_argument("--print-fingerprint", action="store_true")
    args = parser.parse_args()
    if args.print_fingerprint:
        print(fingerprint())
        return
    ensure_model(force=args.force)


if __name__ == "__main__":
    main()
