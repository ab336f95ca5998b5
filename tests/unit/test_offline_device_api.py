"""The offline device's API beyond what ``bst test`` sends: bad requests, sync mode, stops,
reports. No stack: a scripted engine plays the call (``make e2e-bst`` covers real calls)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from e2e.device.app import BadRequest, CallParameters, Device, call_parameters, steps_from
from e2e.device.engine import Step, StepResult


class ScriptedEngine:
    """Answers every step with "heard <utterance>"; stops when asked to."""

    def run(self, steps: list[Step], settings: Any, on_result: Any, should_stop: Any) -> None:
        for step in steps:
            if should_stop():
                return
            on_result(StepResult(step.utterance, f"heard {step.utterance}"))


def device(tmp_path: Path) -> Device:
    return Device(lambda parameters: ScriptedEngine(), tmp_path)  # type: ignore[arg-type,return-value]


PARAMETERS = CallParameters("twilio-offline-device", "+15555550199", {})


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"messages": []}, "at least one message"),
        ({"messages": ["hi"]}, "must be an object"),
        ({"messages": [{"text": "hi", "settings": "x"}]}, "settings must be an object"),
        ({"messages": [{"audio": "https://x/a.wav"}]}, "Bespoken's device"),
        (None, "at least one message"),
    ],
)
def test_a_malformed_batch_is_refused_with_the_reason(body: Any, problem: str) -> None:
    with pytest.raises(BadRequest, match=problem):
        steps_from(body)


def test_the_token_is_required_and_other_parameters_are_call_settings() -> None:
    with pytest.raises(BadRequest, match="user_id"):
        call_parameters({"async_mode": "true"})
    parameters = call_parameters(
        {"user_id": "t", "phone_number": "+1555", "async_mode": "true", "callerNumber": "+1777"}
    )
    assert parameters == CallParameters("t", "+1555", {"callerNumber": "+1777"})


async def test_a_call_completes_with_one_result_per_step_polled_one_at_a_time(
    tmp_path: Path,
) -> None:
    dev = device(tmp_path)
    conversation = dev.new_conversation()
    steps = steps_from({"messages": [{"text": "$DIAL"}, {"text": "hello"}]})
    await dev.run_call(conversation, steps, PARAMETERS)
    assert conversation.status == "COMPLETED"
    first = await conversation.poll(long_poll=0)
    assert [r["transcript"] for r in first["results"]] == ["heard $DIAL", "heard hello"]
    assert conversation.wanted == 1  # the CLI takes one step per poll


async def test_a_stopped_call_plays_no_more_steps(tmp_path: Path) -> None:
    dev = device(tmp_path)
    conversation = dev.new_conversation()
    conversation.stop.set()
    await dev.run_call(conversation, steps_from({"messages": [{"text": "$DIAL"}]}), PARAMETERS)
    assert conversation.status == "COMPLETED"
    assert conversation.results == []


async def test_a_failing_call_is_an_error_not_a_crash(tmp_path: Path) -> None:
    def broken(parameters: CallParameters) -> Any:
        raise RuntimeError("no stack")

    dev = Device(broken, tmp_path)
    conversation = dev.new_conversation()
    await dev.run_call(conversation, steps_from({"messages": [{"text": "$DIAL"}]}), PARAMETERS)
    assert conversation.status == "ERROR"
    assert "no stack" in conversation.as_json()["error"]


def test_the_last_report_is_written_for_the_developer(tmp_path: Path) -> None:
    dev = device(tmp_path)
    dev.store_report([{"test": "x"}])
    dev.store_report([{"test": "y"}])
    written = json.loads((tmp_path / "bst-test-results.json").read_text())
    assert written == [{"test": "y"}]
