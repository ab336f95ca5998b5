"""Plays one Bespoken test as one phone call and judges every step.

The pytest runner and the audio mode both come here; they differ only in the
call they pass (text posted as heard, or heard through a phone line).
"""

from __future__ import annotations

from collections.abc import Mapping

from e2e.device.engine import CallEngine
from e2e.device.engine import Step as CallStep
from e2e.device.switches import Switchboard
from e2e.runner.check import StepOutcome, check_case
from e2e.runner.suite import Case, Configuration, TestFile
from emulators.twilio_call import TwilioCall


def play_case(
    call: TwilioCall,
    emulators: Mapping[str, str],
    configuration: Configuration,
    file: TestFile,
    case: Case,
) -> list[StepOutcome]:
    """Runs ``case`` through ``call``; the outcome of each of its steps."""
    settings = {
        **(configuration.value("extraParameters", file.configuration) or {}),
        **(configuration.value("virtualDeviceConfig", file.configuration) or {}),
    }
    played = []
    for step in case.steps:
        if step.exit and not step.utterance:
            break
        played.append(CallStep(step.utterance, step.settings))
        if step.exit:
            break
    engine = CallEngine(call, Switchboard(dict(emulators)))
    results = [result.as_json() for result in engine.run(played, settings)]
    return check_case(
        case,
        results,
        configuration.value("homophones", file.configuration) or {},
        bool(configuration.value("lenientMode", file.configuration, False)),
    )
