"""Train, test, activate and roll back models from the console, one job at a time.

Training runs ``rasa train`` in a child process (the console stays responsive),
with the project's data plus the reviewed examples; its progress comes from the
epoch bars Rasa prints. Both the running model and the new one are then tested
with ``rasa test nlu`` on the reviewed examples, so the page shows the accuracy
on what callers really said, before and after. Activation and roll-back go
through Rasa's HTTP API; the models activated so far are remembered in a small
JSON file so roll-back survives a restart of the console.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from console.rasa_api import RasaApi
from settings import PROJECT_ROOT

logger = logging.getLogger(__name__)
BOT = PROJECT_ROOT / "rasa_bot"
EPOCHS = re.compile(rb"Epochs:\s+(\d+)%")
# (start, end) of the progress bar for each epoch bar Rasa prints: DIET, then TED.
PHASES = ((5.0, 45.0), (45.0, 75.0))


@dataclass
class Job:
    state: str = "idle"  # idle | training | testing | ready | failed
    progress: float = 0.0
    message: str = ""
    model: str | None = None
    accuracy_before: float | None = None  # all NLU examples
    accuracy_after: float | None = None
    reviewed_before: float | None = None  # the examples labelled in the console
    reviewed_after: float | None = None
    started: float | None = None
    history: list[str] = field(default_factory=list)  # activated models, oldest first


ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def read_texts(reviewed_nlu: Path) -> set[str]:
    """The reviewed examples as Rasa sees them (annotations reduced to their text)."""
    from console.review import read_examples

    return {ANNOTATION.sub(r"\1", e) for v in read_examples(reviewed_nlu).values() for e in v}


def read_accuracy(out: Path, reviewed: set[str]) -> tuple[float | None, float | None]:
    report = out / "intent_report.json"
    if not report.exists():
        return None, None
    overall = json.loads(report.read_text()).get("accuracy")
    errors_file = out / "intent_errors.json"
    errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    wrong = {e.get("text") for e in errors} & reviewed
    share = round(1 - len(wrong) / len(reviewed), 3) if reviewed else None
    return (round(float(overall), 3) if overall is not None else None), share


class Trainer:
    def __init__(self, rasa: RasaApi, models_dir: Path, reviewed_nlu: Path) -> None:
        self.rasa = rasa
        self.models_dir = models_dir
        self.reviewed_nlu = reviewed_nlu
        self.job = Job(history=self._load_history())
        self._task: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def status(self) -> dict[str, object]:
        return asdict(self.job)

    def start(self) -> bool:
        """Starts a training job in the background; False when one is running."""
        if self.busy:
            return False
        history = self.job.history
        self.job = Job(state="training", progress=1.0, started=time.time(), history=history)
        self._task = asyncio.create_task(self._run())
        return True

    async def _run(self) -> None:
        try:
            self.models_dir.mkdir(parents=True, exist_ok=True)
            name = time.strftime("console-%Y%m%d-%H%M%S")
            await self._train(name)
            model = self.models_dir / f"{name}.tar.gz"
            self.job.state, self.job.progress, self.job.message = "testing", 80.0, "testing"
            before = await self._running_model()
            if before:
                self.job.accuracy_before, self.job.reviewed_before = await self._accuracy(before)
            self.job.progress = 90.0
            self.job.accuracy_after, self.job.reviewed_after = await self._accuracy(str(model))
            self.job.model = str(model)
            self.job.state, self.job.progress, self.job.message = "ready", 100.0, "trained"
        except Exception as error:
            logger.exception("console training failed")
            self.job.state, self.job.message = "failed", str(error)[:300]

    async def _train(self, name: str) -> None:
        data = ["data"]
        try:
            self.reviewed_nlu.resolve().relative_to((BOT / "data").resolve())
        except ValueError:
            if self.reviewed_nlu.exists():
                data.append(str(self.reviewed_nlu))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "rasa", "train",
            "--config", "config.yml", "--domain", "domain.yml", "--data", *data,
            "--out", str(self.models_dir), "--fixed-model-name", name,
            cwd=BOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        assert process.stdout is not None
        phase, last = 0, 0.0
        while chunk := await process.stdout.read(4096):
            for match in EPOCHS.finditer(chunk):
                percent = float(match.group(1))
                if percent < last and phase + 1 < len(PHASES):
                    phase += 1
                last = percent
                low, high = PHASES[phase]
                self.job.progress = max(self.job.progress, low + (high - low) * percent / 100)
                self.job.message = "training the NLU" if phase == 0 else "training the dialogue"
        if await process.wait() != 0:
            raise RuntimeError("rasa train failed (see the console's log)")

    async def _accuracy(self, model: str) -> tuple[float | None, float | None]:
        """(all NLU examples, the reviewed ones) that ``model`` classifies right.

        ``rasa test nlu`` reports intents only for two intents or more, so it runs
        on the project's NLU data with the reviewed examples added; the reviewed
        share is read from its list of errors.
        """
        with tempfile.TemporaryDirectory() as work:
            data, out = Path(work) / "nlu", Path(work) / "out"
            await asyncio.to_thread(shutil.copytree, BOT / "data" / "nlu", data)
            reviewed = read_texts(self.reviewed_nlu)
            if self.reviewed_nlu.exists():
                shutil.copyfile(self.reviewed_nlu, data / "reviewed.yml")
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "rasa", "test", "nlu", "--model", model,
                "--nlu", str(data), "--out", str(out), "--no-plot",
                cwd=BOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            if await process.wait() != 0:
                return None, None
            return read_accuracy(out, reviewed)

    # -- activation --------------------------------------------------------------

    async def activate(self) -> str:
        if self.job.state != "ready" or not self.job.model:
            raise RuntimeError("no trained model to activate")
        running = await self._running_model()
        if running and Path(running).parent != self.models_dir:
            # `make train` overwrites rasa_bot/models/current.tar.gz: keep this one.
            kept = self.models_dir / time.strftime("before-console-%Y%m%d-%H%M%S.tar.gz")
            await asyncio.to_thread(shutil.copyfile, running, kept)
            running = str(kept)
        await self.rasa.load_model(self.job.model)
        if running and running != self.job.model:
            self.job.history.append(running)
            self._save_history()
        self.job.message = "activated"
        return self.job.model

    async def roll_back(self) -> str:
        if not self.job.history:
            raise RuntimeError("no earlier model to go back to")
        previous = self.job.history[-1]
        await self.rasa.load_model(previous)
        self.job.history.pop()
        self._save_history()
        self.job.message = "rolled back"
        return previous

    async def _running_model(self) -> str | None:
        """Path of the model Rasa runs (its API tells only the file's name)."""
        name = await self.rasa.model_file()
        if not name:
            return None
        for folder in (self.models_dir, BOT / "models"):
            if (folder / Path(name).name).is_file():
                return str(folder / Path(name).name)
        return None

    def _history_file(self) -> Path:
        return self.models_dir / "activated.json"

    def _load_history(self) -> list[str]:
        try:
            return [str(p) for p in json.loads(self._history_file().read_text())]
        except (OSError, ValueError):
            return []

    def _save_history(self) -> None:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self._history_file().write_text(json.dumps(self.job.history))
