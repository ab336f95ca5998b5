"""Builds the TwiML of one turn with twilio's builders, never by hand.

Every bot message of a turn is spoken inside one ``<Gather>`` so the caller can
barge in at any point; buttons become a spoken menu answered by the keypad; a
``{"hangup": true}`` payload ends the call; a turn that hands the caller off ends
in a conference (``Hold``) the hand-off chose. Text never changes the document's structure:
the builder escapes it, and characters XML cannot carry are dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from twilio.twiml.voice_response import Dial, Gather, Say, VoiceResponse

from channels.menus import menu_sentence
from contract import PAYLOAD_HANDOFF, PAYLOAD_HANGUP, PAYLOAD_KEYPAD
from settings import VoiceSettings
from speech.speakable import render_for_speech

logger = logging.getLogger(__name__)

# Characters XML 1.0 cannot carry (ElementTree would write them raw).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
KNOWN_PAYLOADS = frozenset({PAYLOAD_HANGUP, PAYLOAD_HANDOFF, PAYLOAD_KEYPAD})
KEYPAD_FINISH = "#"
NOTHING_SAID_PROMPT = "Is there anything else I can help with?"
AFTER_AGENT = "Thank you for calling the IT help desk. Goodbye."


def xml_safe(text: str) -> str:
    """``text`` without the characters an XML document cannot contain."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class Listen:
    """Where the caller's answer goes, and what the recognizer should expect."""

    action_url: str
    hints: str = ""
    # Several keys ended with #, instead of one key answering a menu.
    keypad: bool = False


def spoken_text(message: dict[str, Any]) -> str:
    """What the caller hears for one bot message: its text, then its menu."""
    parts = [render_for_speech(str(message.get("text") or ""))]
    buttons = message.get("buttons") or []
    if buttons:
        parts.append(menu_sentence(buttons))
    return xml_safe(" ".join(part for part in parts if part).strip())


def _says(messages: Sequence[dict[str, Any]], settings: VoiceSettings) -> list[Say]:
    says: list[Say] = []
    for message in messages:
        custom = message.get("custom") or {}
        unknown = set(custom) - KNOWN_PAYLOADS if isinstance(custom, dict) else {"?"}
        if unknown:
            logger.info("ignoring custom payload keys the phone cannot use: %s", sorted(unknown))
        text = spoken_text(message)
        if text:
            says.append(Say(text, voice=settings.voice, language=settings.language))
    return says


@dataclass(frozen=True)
class Hold:
    """The caller waits in ``conference`` (hearing ``music_url``) until an agent joins."""

    conference: str
    music_url: str = ""


def ends_call(messages: Sequence[dict[str, Any]]) -> bool:
    """True when a message carries the ``{"hangup": true}`` payload."""
    return any(
        isinstance(message.get("custom"), dict) and message["custom"].get("hangup") is True
        for message in messages
    )


def gather(listen: Listen, settings: VoiceSettings) -> Gather:
    """A ``<Gather>`` for speech or one key, posting even when nothing was heard."""
    return Gather(
        input="dtmf speech",
        action=listen.action_url,
        method="POST",
        num_digits=None if listen.keypad else 1,
        finish_on_key=KEYPAD_FINISH if listen.keypad else None,
        timeout=settings.gather_timeout,
        speech_timeout=settings.speech_timeout,
        speech_model=settings.speech_model,
        enhanced=settings.enhanced if settings.speech_model == "phone_call" else None,
        language=settings.language,
        hints=listen.hints or None,
        action_on_empty_result=True,
    )


def render_turn(
    messages: Sequence[dict[str, Any]],
    settings: VoiceSettings,
    listen: Listen,
    hold: Hold | None = None,
) -> str:
    """TwiML for a turn: every message spoken, then listen, hold, or hang up."""
    response = VoiceResponse()
    says = _says(messages, settings)
    if hold is not None:
        for say in says:
            response.append(say)
        dial = Dial()
        dial.conference(
            hold.conference,
            start_conference_on_enter=False,
            end_conference_on_exit=True,
            beep=False,
            wait_url=hold.music_url or None,
            wait_method="GET" if hold.music_url else None,
        )
        response.append(dial)
        response.say(AFTER_AGENT, voice=settings.voice, language=settings.language)
        response.hangup()
        return str(response)
    if ends_call(messages):
        for say in says:
            response.append(say)
        response.hangup()
        return str(response)
    if not says:
        says = [Say(NOTHING_SAID_PROMPT, voice=settings.voice, language=settings.language)]
    listening = gather(listen, settings)
    for say in says:
        listening.append(say)
    response.append(listening)
    # Reached only if Twilio ignores actionOnEmptyResult: treat it as silence.
    response.redirect(listen.action_url, method="POST")
    return str(response)


def render_goodbye(text: str, settings: VoiceSettings) -> str:
    """Speak ``text`` and end the call."""
    response = VoiceResponse()
    response.say(
        xml_safe(render_for_speech(text)), voice=settings.voice, language=settings.language
    )
    response.hangup()
    return str(response)


def render_wait(text: str, redirect_url: str, settings: VoiceSettings) -> str:
    """A short filler while the assistant is still working, then come back."""
    response = VoiceResponse()
    response.say(xml_safe(text), voice=settings.voice, language=settings.language)
    response.redirect(redirect_url, method="POST")
    return str(response)
