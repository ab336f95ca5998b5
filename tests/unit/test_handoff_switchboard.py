"""The hand-off lifecycle: ring, whisper, accept or decline, no answer, back to the assistant.

The record lives in a real SQLite database (the tracker database's table);
Twilio's REST API is a fake that records what would have been asked of it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from channels.urls import call_tag
from contract import OUTCOME_NO_AGENT, OUTCOME_UNREACHABLE
from handoff.record import Handoff, Stage
from handoff.request import HandoffRequest
from handoff.switchboard import Switchboard
from settings import SettingsError
from stores.database import engine_for
from stores.handoffs import HandoffStore
from tests.voice_fakes import CALL_SID, FakeTwilio, handoff_settings, voice_settings

AGENTS = ("+15555550142", "+15555550143")
SUMMARY = "The caller is calling from +15555550100. They need help with the VPN."


@pytest.fixture
def twilio() -> FakeTwilio:
    return FakeTwilio()


@pytest.fixture
def store(tmp_path: Path) -> HandoffStore:
    return HandoffStore(engine_for(f"sqlite:///{tmp_path / 'tracker.sqlite3'}"))


@pytest.fixture
def board(store: HandoffStore, twilio: FakeTwilio) -> Switchboard:
    settings = handoff_settings(
        HANDOFF_AGENT_NUMBERS=",".join(AGENTS), PUBLIC_URL="https://voice.example.com"
    )
    return Switchboard(settings, voice_settings(), lambda: store, lambda: twilio)  # type: ignore[arg-type, return-value]


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def spoken(twiml: str) -> str:
    return " ".join(say.text or "" for say in ET.fromstring(twiml).iter("Say"))


async def started(board: Switchboard, agents: tuple[str, ...] = ()) -> Handoff:
    record = await board.start(CALL_SID, HandoffRequest(SUMMARY, agents))
    assert record is not None
    return record


async def test_the_first_agent_is_rung_with_urls_that_name_only_the_hand_off(
    board: Switchboard, twilio: FakeTwilio
) -> None:
    record = await started(board)
    (call,) = twilio.placed
    assert call["to"] == AGENTS[0]
    answered = ET.fromstring(str(call["twiml"])).find("Redirect").text
    assert urlsplit(answered).path == "/webhooks/twilio_voice/agent_answered"
    for url in (answered, str(call["status_callback"])):
        assert query(url) == {"handoff": record.id, "attempt": "0"}
        assert "555" not in url and CALL_SID not in url
    assert record.conference == f"handoff-{record.id}"
    assert (await board.holding(CALL_SID)) == record


async def test_the_agent_hears_the_summary_and_pressing_1_joins_the_callers_conference(
    board: Switchboard, store: HandoffStore
) -> None:
    record = await started(board)
    whisper = await board.agent_answered(record.id, 0)
    assert "5 5 5, 5 5 5, 0 1 0 0" in spoken(whisper), "the caller's number, read out"
    assert "Press 1 to take the call" in spoken(whisper)
    action = ET.fromstring(whisper).find("Gather").get("action")
    assert urlsplit(action).path.endswith("/agent_decided")
    joined = await board.agent_decided(record.id, 0, "1")
    assert ET.fromstring(joined).find("Dial/Conference").text == record.conference
    assert (await store.get(record.id)).stage is Stage.CONNECTED


async def test_a_decline_rings_the_next_agent_and_the_last_decline_brings_the_caller_back(
    board: Switchboard, twilio: FakeTwilio, store: HandoffStore
) -> None:
    record = await started(board)
    await board.agent_answered(record.id, 0)
    first = await board.agent_decided(record.id, 0, "2")
    assert "another agent will be asked" in spoken(first)
    assert [c["to"] for c in twilio.placed] == list(AGENTS)
    assert query(str(twilio.placed[1]["status_callback"]))["attempt"] == "1"
    await board.agent_answered(record.id, 1)
    last = await board.agent_decided(record.id, 1, "")
    assert "offered a ticket" in spoken(last)
    [(caller, url)] = twilio.redirects
    assert caller == CALL_SID
    assert urlsplit(url).path == "/webhooks/twilio_voice/back_from_hold"
    assert query(url) == {"call": call_tag(CALL_SID), "handoff": record.id}  # to its replica
    assert await board.outcome(record.id) == OUTCOME_NO_AGENT
    assert await board.holding(CALL_SID) is None


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
async def test_an_agent_who_does_not_answer_passes_the_call_on(
    board: Switchboard, twilio: FakeTwilio, status: str
) -> None:
    record = await started(board)
    await board.agent_status(record.id, 0, status)
    assert [c["to"] for c in twilio.placed] == list(AGENTS)
    await board.agent_status(record.id, 1, status)
    assert len(twilio.redirects) == 1


async def test_a_report_twilio_repeats_rings_the_next_agent_once(
    board: Switchboard, twilio: FakeTwilio
) -> None:
    record = await started(board)
    await board.agent_status(record.id, 0, "no-answer")
    await board.agent_status(record.id, 0, "no-answer")
    assert [c["to"] for c in twilio.placed] == list(AGENTS)
    assert twilio.redirects == []


async def test_an_agent_who_hangs_up_during_the_whisper_declines(
    board: Switchboard, twilio: FakeTwilio
) -> None:
    record = await started(board)
    await board.agent_answered(record.id, 0)
    await board.agent_status(record.id, 0, "completed")
    assert [c["to"] for c in twilio.placed] == list(AGENTS)


async def test_the_accepting_agents_call_ending_changes_nothing(
    board: Switchboard, twilio: FakeTwilio, store: HandoffStore
) -> None:
    record = await started(board)
    await board.agent_answered(record.id, 0)
    await board.agent_decided(record.id, 0, "1")
    await board.agent_status(record.id, 0, "completed")
    assert len(twilio.placed) == 1 and twilio.redirects == []
    assert (await store.get(record.id)).stage is Stage.CONNECTED


async def test_an_agent_answering_after_the_call_moved_on_is_told_and_let_go(
    board: Switchboard,
) -> None:
    record = await started(board)
    await board.agent_status(record.id, 0, "no-answer")  # agent 2 is ringing now
    late = await board.agent_answered(record.id, 0)
    assert "no longer waiting" in spoken(late)
    assert ET.fromstring(late).find("Hangup") is not None
    assert "no longer waiting" in spoken(await board.agent_answered("0" * 16, 0))


async def test_twilio_down_at_the_start_rings_nobody_and_says_so(
    board: Switchboard, twilio: FakeTwilio, store: HandoffStore
) -> None:
    twilio.failing = True
    assert await board.start(CALL_SID, HandoffRequest(SUMMARY)) is None
    assert await board.holding(CALL_SID) is None


async def test_the_next_agent_unreachable_brings_the_caller_back_as_unreachable(
    board: Switchboard, twilio: FakeTwilio
) -> None:
    record = await started(board)
    twilio.failing = True
    await board.agent_status(record.id, 0, "busy")
    assert await board.outcome(record.id) == OUTCOME_UNREACHABLE


async def test_a_take_over_rings_only_the_named_phone(
    board: Switchboard, twilio: FakeTwilio
) -> None:
    record = await started(board, agents=("+15555550177",))
    await board.agent_status(record.id, 0, "no-answer")
    assert [c["to"] for c in twilio.placed] == ["+15555550177"]
    assert len(twilio.redirects) == 1


async def test_without_a_twilio_account_nobody_is_rung(store: HandoffStore) -> None:
    def no_account() -> FakeTwilio:
        raise SettingsError("TWILIO_AUTH_TOKEN must be set (see example.env)")

    board = Switchboard(handoff_settings(), voice_settings(), lambda: store, no_account)  # type: ignore[arg-type]
    assert await board.start(CALL_SID, HandoffRequest(SUMMARY)) is None


async def test_an_agent_answering_after_the_caller_hung_up_is_let_go(
    board: Switchboard, twilio: FakeTwilio
) -> None:
    record = await started(board)
    await board.caller_left(CALL_SID)
    assert "no longer waiting" in spoken(await board.agent_answered(record.id, 0))
    await board.agent_status(record.id, 0, "no-answer")
    assert len(twilio.placed) == 1 and twilio.redirects == []
