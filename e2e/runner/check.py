"""Checks a played call against its test, step by step, and says what went wrong.

``results`` are the offline device's result objects (``{"message",
"transcript", ...}``), one per step played; a step without one was never
reached because the call had ended.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from e2e.runner.matching import Assertion, PatternError, apply_homophones, evaluate, value_at_path
from e2e.runner.suite import Case, Step


@dataclass
class StepOutcome:
    number: int
    step: Step
    heard: str | None
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def as_heard(result: Mapping[str, Any], homophones: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The result as ``bst`` sees it: homophones applied, ``prompt`` filled in."""
    seen = copy.deepcopy(dict(result))
    transcript = seen.get("transcript")
    if isinstance(transcript, str) and transcript:
        seen.setdefault("debug", {})["rawTranscript"] = transcript
        seen["transcript"] = apply_homophones(transcript, homophones)
    seen["prompt"] = seen.get("transcript")
    return seen


def _failure(assertion: Assertion, seen: Mapping[str, Any]) -> str:
    where = f" (line {assertion.line})" if assertion.line else ""
    actual = value_at_path(seen, assertion.path)
    if assertion.path in ("prompt", "transcript"):
        return f"expected {assertion.describe()}{where}"
    return f"expected {assertion.describe()}{where}; got {actual!r}"


def check_case(
    case: Case,
    results: Sequence[Mapping[str, Any]],
    homophones: Mapping[str, Sequence[str]] | None = None,
    lenient_mode: bool = False,
) -> list[StepOutcome]:
    outcomes = []
    for index, step in enumerate(case.steps):
        if step.exit and not step.utterance:
            break
        if index >= len(results):
            reason = "the call had ended before this step"
            if results and results[-1].get("error"):
                reason = f"not played: {results[-1]['error'].get('message')}"
            outcomes.append(StepOutcome(index + 1, step, None, [reason]))
            continue
        result = results[index]
        seen = as_heard(result, homophones or {})
        outcome = StepOutcome(index + 1, step, seen.get("transcript"))
        if result.get("error"):
            outcome.problems.append(f"could not be played: {result['error'].get('message')}")
        else:
            for assertion in step.assertions:
                try:
                    passed = evaluate(assertion, seen, lenient_mode)
                except PatternError as error:
                    outcome.problems.append(str(error))
                    continue
                if not passed:
                    outcome.problems.append(_failure(assertion, seen))
        outcomes.append(outcome)
        if step.exit:
            break
    return outcomes


def report(
    case: Case, outcomes: Sequence[StepOutcome], conversation: Sequence[tuple[str, str]] = ()
) -> str:
    """Every failed step with what was heard, then the whole call."""
    lines = [f"{case.name}"]
    for outcome in outcomes:
        if outcome.passed:
            continue
        where = f", line {outcome.step.line}" if outcome.step.line else ""
        lines.append(f"  step {outcome.number}{where}: caller {outcome.step.utterance!r}")
        lines.extend(f"    {problem}" for problem in outcome.problems)
        if outcome.heard is not None:
            lines.append(f"    heard: {outcome.heard!r}")
    if conversation:
        lines.append("  the call:")
        lines.extend(f"    {who}: {text}" for who, text in conversation)
    return "\n".join(lines)
