"""The TwiML of a turn, read back with an XML parser as Twilio would read it."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.twiml import Hold, Listen, render_goodbye, render_turn, render_wait
from settings import VoiceSettings

VOICE = VoiceSettings.from_env({"TWILIO_AUTH_TOKEN": "t"})
LISTEN = Listen(action_url="https://voice.example.com/webhooks/twilio_voice/gather", hints="a, b")


def parse(twiml: str) -> ET.Element:
    return ET.fromstring(twiml)


def test_all_messages_of_a_turn_are_spoken_inside_one_gather_in_order() -> None:
    root = parse(render_turn([{"text": "First."}, {"text": "Second?"}], VOICE, LISTEN))
    gathers = root.findall("Gather")
    assert len(gathers) == 1
    assert [say.text for say in gathers[0]] == ["First.", "Second?"]
    assert root.find("Say") is None, "nothing is spoken outside the Gather (no barge-in there)"
    assert root.find("Pause") is None


def test_gather_listens_for_speech_and_one_key_and_posts_even_on_silence() -> None:
    gather = parse(render_turn([{"text": "Hi"}], VOICE, LISTEN)).find("Gather")
    assert gather is not None
    assert set(gather.get("input", "").split()) == {"dtmf", "speech"}
    assert gather.get("actionOnEmptyResult") == "true"
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == LISTEN.action_url
    assert gather.get("hints") == "a, b"
    assert gather.get("speechModel") == "phone_call"
    assert gather.get("language") == "en-US"


def test_an_empty_turn_still_asks_the_caller_something() -> None:
    gather = parse(render_turn([], VOICE, LISTEN)).find("Gather")
    assert gather is not None
    assert "anything else" in (gather.find("Say").text or "")


def test_buttons_are_read_as_a_numbered_menu() -> None:
    message = {
        "text": "How urgent is it?",
        "buttons": [
            {"title": "high", "payload": "/inform"},
            {"title": "medium", "payload": "/inform"},
            {"title": "low", "payload": "/inform"},
        ],
    }
    say = parse(render_turn([message], VOICE, LISTEN)).find("Gather/Say")
    assert say is not None
    assert say.text == (
        "How urgent is it? Say high or press 1, medium or press 2, or low or press 3."
    )


def test_hangup_payload_speaks_then_ends_the_call_without_listening() -> None:
    root = parse(render_turn([{"text": "Goodbye.", "custom": {"hangup": True}}], VOICE, LISTEN))
    assert [child.tag for child in root] == ["Say", "Hangup"]


def test_unknown_custom_payload_is_ignored_with_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="channels.twiml"):
        root = parse(render_turn([{"text": "Hi", "custom": {"carousel": [1, 2]}}], VOICE, LISTEN))
    assert [say.text for say in root.findall("Gather/Say")] == ["Hi"]
    assert "carousel" in caplog.text


def test_a_hold_puts_the_caller_in_the_hand_offs_conference() -> None:
    messages = [{"text": "Please hold.", "custom": {"handoff": {"summary": "A caller."}}}]
    hold = Hold("handoff-ab12", "https://music.test/hold.mp3")
    root = parse(render_turn(messages, VOICE, LISTEN, hold))
    assert [child.tag for child in root] == ["Say", "Dial", "Say", "Hangup"]
    conference = root.find("Dial/Conference")
    assert conference.text == "handoff-ab12"
    assert conference.get("startConferenceOnEnter") == "false"
    assert conference.get("endConferenceOnExit") == "true"
    assert conference.get("waitUrl") == "https://music.test/hold.mp3"


def test_a_hand_off_payload_without_a_hold_is_spoken_and_listened_after() -> None:
    messages = [{"text": "Please hold.", "custom": {"handoff": {"summary": "A caller."}}}]
    root = parse(render_turn(messages, VOICE, LISTEN))
    assert root.find("Dial") is None
    assert [say.text for say in root.findall("Gather/Say")] == ["Please hold."]


def test_markup_in_a_response_is_spoken_not_obeyed() -> None:
    nasty = 'Tom & Jerry </Say><Hangup/><Say> <speak>x</speak> "quoted"'
    root = parse(render_turn([{"text": nasty}], VOICE, LISTEN))
    assert root.find("Hangup") is None
    assert len(root.findall("Gather/Say")) == 1


def test_goodbye_and_wait_documents() -> None:
    assert [c.tag for c in parse(render_goodbye("Bye", VOICE))] == ["Say", "Hangup"]
    wait = parse(render_wait("One moment.", "https://x.test/pending", VOICE))
    assert [c.tag for c in wait] == ["Say", "Redirect"]
    assert wait.find("Redirect").text == "https://x.test/pending"


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(), max_size=4), button_titles=st.lists(st.text(), max_size=3))
def test_any_text_gives_well_formed_twiml_of_the_same_shape(
    texts: list[str], button_titles: list[str]
) -> None:
    messages = [{"text": text} for text in texts]
    messages.append(
        {"text": "pick", "buttons": [{"title": t, "payload": "/x"} for t in button_titles]}
    )
    root = parse(render_turn(messages, VOICE, LISTEN))
    assert root.tag == "Response"
    assert [child.tag for child in root] == ["Gather", "Redirect"]
    assert all(child.tag == "Say" for child in root.find("Gather"))
