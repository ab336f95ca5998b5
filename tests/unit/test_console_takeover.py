"""Take-over from the console: action_handoff rings only the operator who pressed the button.

ServiceNow and Twilio are their emulators, reached through the production clients
(as in test_handoff_action.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions import clients
from actions.api.servicenow import ServiceNowClient
from actions.handoff import ActionHandoff
from console.takeover import take_over
from telephony.twilio_rest import TwilioRest
from tests.action_support import make_tracker, run_action
from tests.servicenow_fixtures import RunningEmulator
from tests.twilio_fixtures import RunningTwilioEmulator

CONFIGURED = ("+15555550142", "+15555550143")
OPERATOR = "+15555550177"


@pytest.fixture
def twilio(
    servicenow_emulator: RunningEmulator,
    fresh_twilio_emulator: RunningTwilioEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[RunningTwilioEmulator]:
    servicenow = ServiceNowClient(servicenow_emulator.settings)
    rest = TwilioRest(fresh_twilio_emulator.rest_settings())
    monkeypatch.setattr(clients, "servicenow", lambda: servicenow)
    monkeypatch.setattr(clients, "twilio", lambda: rest)
    monkeypatch.setenv("HANDOFF_AGENT_NUMBERS", ",".join(CONFIGURED))
    monkeypatch.setenv("HANDOFF_BUSINESS_HOURS", "always")
    fresh_twilio_emulator.set_agent(OPERATOR, "manual")
    yield fresh_twilio_emulator


async def test_the_named_operator_is_rung_and_the_caller_hears_a_colleague_is_coming(
    twilio: RunningTwilioEmulator,
) -> None:
    tracker = make_tracker(
        "EXTERNAL: request_human",
        "request_human",
        slots={"caller_phone": "+15555550100"},
        entities=[{"entity": "agent_number", "value": OPERATOR}],
        form=None,
    )
    _, messages = await run_action(ActionHandoff(), tracker)
    assert [leg["to"] for leg in twilio.calls()] == [OPERATOR]
    assert messages[-1]["text"].startswith("I'm bringing in a colleague")
    assert messages[-1]["custom"]["handoff"]["conference"].startswith("handoff-")


async def test_without_a_named_operator_the_configured_agents_are_rung(
    twilio: RunningTwilioEmulator,
) -> None:
    tracker = make_tracker("agent", "request_human", form=None)
    _, messages = await run_action(ActionHandoff(), tracker)
    assert [leg["to"] for leg in twilio.calls()] == [CONFIGURED[0]]
    assert "connecting you to an agent" in messages[-1]["text"]


class Recorder:
    def __init__(self) -> None:
        self.steps: list[tuple] = []

    async def trigger_intent(self, sid: str, intent: str, entities: dict[str, str]) -> list[str]:
        self.steps.append(("trigger", sid, intent, entities))
        return ["I'm bringing in a colleague. Please hold."]

    async def redirect_call(self, call_sid: str, url: str) -> None:
        self.steps.append(("redirect", call_sid, url))


async def test_the_hand_off_turn_is_stored_before_the_live_call_is_redirected_to_it() -> None:
    recorder = Recorder()
    sid = "CA" + "5" * 32
    said = await take_over(
        recorder,  # type: ignore[arg-type]
        recorder,
        call_sid=sid,
        operator_phone=OPERATOR,
        voice_base_url="https://voice.example.com/",
    )
    assert said == ["I'm bringing in a colleague. Please hold."]
    assert recorder.steps == [
        ("trigger", sid, "request_human", {"agent_number": OPERATOR}),
        ("redirect", sid, "https://voice.example.com/webhooks/twilio_voice/pending"),
    ]
