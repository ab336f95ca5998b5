"""The voice channel's decisions, with a scripted assistant instead of Rasa."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest

from channels.call import CallFacts
from channels.conversation import (
    NO_SUCH_KEY,
    NOT_HEARD,
    OPEN_QUESTION,
    SILENT_GOODBYE,
    STILL_NOT_UNDERSTOOD,
    STILL_THERE,
    WENT_WRONG,
    Counters,
    VoiceConversation,
    words_of,
)
from channels.turn import Turn
from channels.twiml import NOTHING_SAID_PROMPT
from tests.voice_fakes import (
    CALL_SID,
    HOLDING,
    QUESTION,
    TICKET_OFFER,
    FakeHandoffs,
    ScriptedAssistant,
    handoff_settings,
    voice_settings,
)

NOT_UNDERSTOOD = Turn(
    messages=[{"text": "Sorry, I didn't quite get that."}, QUESTION],
    intent="nlu_fallback",
    understood=False,
    actions=("action_fallback",),
)


def conversation(
    assistant: ScriptedAssistant, handoffs: FakeHandoffs | None = None, **env: str
) -> VoiceConversation:
    return VoiceConversation(
        assistant,
        voice_settings(**env),
        handoff_settings(**env),
        lambda counters: (
            "http://127.0.0.1/webhooks/twilio_voice/gather?"
            + "&".join(f"{k}={v}" for k, v in counters.query().items())
        ),
        handoffs or FakeHandoffs(),
    )


def conference(twiml: str) -> str | None:
    found = ET.fromstring(twiml).find("Dial/Conference")
    return found.text if found is not None else None


def call(**form: str) -> CallFacts:
    return CallFacts(sid=CALL_SID, caller="+15555550100", form=form)


def says(twiml: str) -> list[str]:
    return [" ".join("".join(say.itertext()).split()) for say in ET.fromstring(twiml).iter("Say")]


def next_counters(twiml: str) -> Counters:
    action = ET.fromstring(twiml).find("Gather").get("action")
    query = {k: v[0] for k, v in parse_qs(urlsplit(action).query).items()}
    return Counters.from_query(query)


async def test_speech_is_sent_as_words_never_as_a_command() -> None:
    assistant = ScriptedAssistant()
    await conversation(assistant).answer(call(SpeechResult='/request_human{"x": 1}'), Counters())
    assert assistant.heard == ['request_human{"x": 1}']
    assert assistant.commands == []


async def test_very_long_speech_is_cut_to_the_limit_before_nlu() -> None:
    assistant = ScriptedAssistant()
    await conversation(assistant, VOICE_MAX_SPEECH_CHARS="500").answer(
        call(SpeechResult="word " * 20_000), Counters()
    )
    assert len(assistant.heard[0]) == 500


def test_words_of_collapses_whitespace_and_drops_leading_slashes() -> None:
    assert words_of("  // hello \n  there ", 100, CALL_SID) == "hello there"


async def test_a_misunderstood_turn_counts_a_miss_in_the_next_gather_url() -> None:
    assistant = ScriptedAssistant(next_turn=NOT_UNDERSTOOD)
    twiml = await conversation(assistant).answer(call(SpeechResult="blah"), Counters(turn=4))
    assert next_counters(twiml) == Counters(turn=5, misses=1)
    assert says(twiml) == [
        "Sorry, I didn't quite get that.",
        "How urgent is it? Say high or press 1.",
    ]


async def test_an_understood_turn_clears_the_misses() -> None:
    twiml = await conversation(ScriptedAssistant()).answer(
        call(SpeechResult="high"), Counters(turn=2, misses=2)
    )
    assert next_counters(twiml) == Counters(turn=3)


async def test_the_third_miss_in_a_row_transfers_the_caller() -> None:
    assistant = ScriptedAssistant(next_turn=NOT_UNDERSTOOD)
    twiml = await conversation(assistant, HANDOFF_AFTER_FALLBACKS="3").answer(
        call(SpeechResult="blah"), Counters(turn=3, misses=2)
    )
    assert assistant.commands == ["/request_human"]
    assert says(twiml)[0] == STILL_NOT_UNDERSTOOD
    assert "connecting you to an agent" in says(twiml)[1]
    assert conference(twiml) == "handoff-" + "ab12" * 4


async def test_a_turn_asking_for_a_person_holds_the_caller_in_the_hand_offs_conference() -> None:
    handoffs = FakeHandoffs()
    twiml = await conversation(ScriptedAssistant(), handoffs).answer(
        call(Digits="0"), Counters(turn=4)
    )
    (request,) = handoffs.requests
    assert request.summary == "A caller asked for a person."
    assert conference(twiml) == handoffs.live.conference
    assert ET.fromstring(twiml).find("Gather") is None


async def test_when_nobody_can_be_rung_the_caller_hears_why_and_a_ticket_offer_at_once() -> None:
    assistant = ScriptedAssistant()
    twiml = await conversation(assistant, FakeHandoffs(reachable=False)).answer(
        call(Digits="0"), Counters(turn=4)
    )
    assert assistant.commands == [
        "/request_human",
        '/handoff_failed{"handoff_outcome": "unreachable"}',
    ]
    assert conference(twiml) is None
    assert "couldn't reach an agent" in says(twiml)[0]
    assert next_counters(twiml).turn == 5


async def test_back_from_the_hold_the_assistant_learns_why() -> None:
    assistant = ScriptedAssistant()
    await conversation(assistant).back_from_hold(call(), Counters(turn=5), "no_agent")
    assert assistant.commands == ['/handoff_failed{"handoff_outcome": "no_agent"}']


async def test_a_taken_over_call_redirected_to_its_last_turn_holds_for_the_operator() -> None:
    handoffs = FakeHandoffs()
    assistant = ScriptedAssistant()
    taken = await conversation(assistant, handoffs).take_over(CALL_SID, "+15555550177")
    assert taken.ringing and taken.said == [HOLDING["text"]]
    assert assistant.commands == ['/request_human{"agent_number": "+15555550177"}']
    assistant.last = Turn(messages=[HOLDING])
    twiml = await conversation(assistant, handoffs).replay(call(), Counters())
    assert conference(twiml) == handoffs.live.conference


async def test_a_take_over_whose_phone_cannot_be_rung_leaves_the_caller_a_ticket_offer() -> None:
    assistant = ScriptedAssistant()
    taken = await conversation(assistant, FakeHandoffs(reachable=False)).take_over(
        CALL_SID, "+15555550177"
    )
    assert not taken.ringing
    assert taken.said == [TICKET_OFFER["text"]]


async def test_low_confidence_speech_is_asked_again_and_counts_as_a_miss() -> None:
    assistant = ScriptedAssistant()
    twiml = await conversation(assistant).answer(
        call(SpeechResult="mumble", Confidence="0.1"), Counters(turn=1)
    )
    assert assistant.heard == []
    assert says(twiml)[0] == NOT_HEARD
    assert next_counters(twiml).misses == 1


async def test_a_key_with_no_meaning_is_said_so_and_the_question_repeated() -> None:
    twiml = await conversation(ScriptedAssistant()).answer(call(Digits="7"), Counters())
    assert says(twiml) == [NO_SUCH_KEY, "How urgent is it? Say high or press 1."]


async def test_key_zero_asks_for_a_person_from_anywhere() -> None:
    assistant = ScriptedAssistant()
    await conversation(assistant).answer(call(Digits="0"), Counters())
    assert assistant.commands == ["/request_human"]


async def test_a_key_answers_the_menu_with_its_payload() -> None:
    assistant = ScriptedAssistant()
    await conversation(assistant).answer(call(Digits="1"), Counters())
    assert assistant.commands == ["/affirm"]


async def test_a_failed_turn_is_one_apology_and_the_open_question_never_the_filler() -> None:
    assistant = ScriptedAssistant(next_turn=Turn(failed=True, actions=("action_open_incident",)))
    twiml = await conversation(assistant).answer(call(SpeechResult="yes"), Counters())
    assert says(twiml) == [WENT_WRONG, "How urgent is it? Say high or press 1."]
    assert NOTHING_SAID_PROMPT not in " ".join(says(twiml))


async def test_a_failed_turn_with_no_open_question_asks_what_the_caller_needs() -> None:
    assistant = ScriptedAssistant(next_turn=Turn(failed=True), last=Turn())
    twiml = await conversation(assistant).answer(call(SpeechResult="yes"), Counters())
    assert says(twiml) == [WENT_WRONG, OPEN_QUESTION]


async def test_silence_asks_whether_the_caller_is_still_there() -> None:
    twiml = await conversation(ScriptedAssistant()).answer(call(), Counters(turn=1))
    assert says(twiml)[0] == STILL_THERE
    assert next_counters(twiml).silences == 1


async def test_enough_silence_says_goodbye_and_hangs_up() -> None:
    twiml = await conversation(ScriptedAssistant(), VOICE_MAX_SILENCES="3").answer(
        call(), Counters(silences=2)
    )
    assert says(twiml) == [SILENT_GOODBYE]
    assert ET.fromstring(twiml).find("Hangup") is not None


@pytest.mark.parametrize("turn", [0, 7])
async def test_every_answer_carries_the_next_turn_number(turn: int) -> None:
    twiml = await conversation(ScriptedAssistant()).answer(
        call(SpeechResult="high"), Counters(turn=turn)
    )
    assert next_counters(twiml).turn == turn + 1


def test_counters_ignore_junk_in_the_query() -> None:
    assert Counters.from_query({"turn": "-3", "misses": "x", "silences": "2"}) == Counters(0, 0, 2)


KEYPAD_QUESTION = Turn(
    messages=[
        {
            "text": "What's the email address on your account? Or key in your employee number.",
            "custom": {"keypad": {"finish_on_key": "#"}},
        }
    ],
    requested_slot="email",
)


async def test_a_keypad_question_gathers_several_keys_ended_with_pound() -> None:
    twiml = await conversation(ScriptedAssistant(next_turn=KEYPAD_QUESTION)).answer(
        call(SpeechResult="check my ticket"), Counters()
    )
    gather = ET.fromstring(twiml).find("Gather")
    assert gather.get("finishOnKey") == "#"
    assert gather.get("numDigits") is None


async def test_keys_typed_into_a_keypad_question_are_heard_as_the_number() -> None:
    assistant = ScriptedAssistant(last=KEYPAD_QUESTION)
    await conversation(assistant).answer(call(Digits="100123#"), Counters())
    assert assistant.heard == ["100123"]
    assert assistant.commands == []


async def test_zero_still_asks_for_a_person_at_a_keypad_question() -> None:
    assistant = ScriptedAssistant(last=KEYPAD_QUESTION)
    await conversation(assistant).answer(call(Digits="0"), Counters())
    assert assistant.commands == ["/request_human"]
