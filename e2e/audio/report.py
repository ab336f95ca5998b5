"""What an audio run measured: per test file, pass rate and word error rate.

Pure bookkeeping and formatting, so it is tested without audio or a stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tabulate import SEPARATING_LINE, tabulate

from e2e.audio.caller import Heard
from e2e.audio.wer import Tally, normalize

MISHEARD_SHOWN = 6  # per file, in the text report


@dataclass
class CallOutcome:
    """One test (one call): passed or not, and every line the caller spoke."""

    file: str
    name: str
    passed: bool
    lines: list[Heard] = field(default_factory=list)
    failure: str = ""


@dataclass
class FileSummary:
    file: str
    calls: int = 0
    passed: int = 0
    tally: Tally = field(default_factory=Tally)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.calls if self.calls else None


def summarize(outcomes: Sequence[CallOutcome]) -> tuple[list[FileSummary], FileSummary]:
    """Per file (in order of first appearance), then everything together."""
    files: dict[str, FileSummary] = {}
    total = FileSummary("all files")
    for outcome in outcomes:
        summary = files.setdefault(outcome.file, FileSummary(outcome.file))
        for target in (summary, total):
            target.calls += 1
            target.passed += outcome.passed
            for line in outcome.lines:
                target.tally.add(line.said, line.heard)
    return list(files.values()), total


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def table(outcomes: Sequence[CallOutcome]) -> str:
    """A plain-text table: calls, pass rate, spoken lines, word errors and WER per file."""
    files, total = summarize(outcomes)
    header = ("test file", "calls", "passed", "pass rate", "lines", "words", "errors", "WER")
    rows = [
        (s.file, s.calls, s.passed, percent(s.pass_rate), s.tally.utterances, s.tally.words,
         s.tally.errors, percent(s.tally.rate))
        for s in [*files, total]
    ]  # fmt: skip
    aligned = ("left", *["right"] * 7)
    return tabulate([*rows[:-1], SEPARATING_LINE, rows[-1]], header, colalign=aligned)


def misheard(outcomes: Sequence[CallOutcome], limit: int = MISHEARD_SHOWN) -> str:
    """Lines heard differently from what was said, a few per file, each shown once."""
    out: list[str] = []
    shown: dict[str, set[tuple[str, str]]] = {}
    for outcome in outcomes:
        seen = shown.setdefault(outcome.file, set())
        for line in outcome.lines:
            pair = (line.said, line.heard)
            if normalize(line.said) == normalize(line.heard) or pair in seen:
                continue
            if len(seen) == limit:
                break
            if not seen:
                out.append(f"{outcome.file}:")
            seen.add(pair)
            heard = repr(line.heard) if line.heard else "nothing"
            out.append(f"  {line.said!r} -> {heard} ({line.confidence:.2f})")
    return "\n".join(out)
