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

BOT = PROJECT_ROOT / "rasa_bot"
CURRENT_MODEL = BOT / "models" / "current.tar.gz"
TRAINING_INPUTS = ("config.yml", "domain.yml", "data")


def cache_dir() -> Path:
    import os

    root = os.environ.get("HELPDESK_CACHE_DIR") or str(Path.home() / ".cache" / "helpdesk-voice")
    return Path(root) / "models"


def fingerprint(bot: Path = BOT) -> str:
    """A hash of everything training reads, plus the Rasa version."""
    from rasa import __version__ as rasa_version

    digest = hashlib.sha256(f"rasa=={rasa_version}\n".encode())
    for name in TRAINING_INPUTS:
        path = bot / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(bot)).encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def ensure_model(force: bool = False) -> Path:
    """Path of a model trained on the current inputs, training only if needed."""
    key = fingerprint()
    cached = cache_dir() / f"{key}.tar.gz"
    if cached.exists() and not force:
        print(f"model {key} is up to date (cached)")
    else:
        print(f"training model {key} (inputs changed or no cached model)")
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(  # noqa: S603 - our own command line
                [
                    sys.executable, "-m", "rasa", "train",
                    "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
                    "--out", out, "--fixed-model-name", key,
                ],
                cwd=BOT,
                check=True,
            )  # fmt: skip
            cached.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(out) / f"{key}.tar.gz", cached)
    CURRENT_MODEL.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, CURRENT_MODEL)
    return CURRENT_MODEL


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
