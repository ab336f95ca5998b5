"""What the agent's phone runs: the whisper, the choice, joining the caller's conference."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from channels.twiml import xml_safe
from settings import VoiceSettings
from speech.speakable import render_for_speech

ACCEPT_KEY = "1"
WHISPER_CHOICE = "Press 1 to take the call, or any other key to decline."
WHISPER_SECONDS = 8


def render_ring(answered_url: str) -> str:
    """The agent's call, once answered, asks the channel what to say."""
    response = VoiceResponse()
    response.redirect(answered_url, method="POST")
    return str(response)


def render_whisper(summary: str, decided_url: str, settings: VoiceSettings) -> str:
    """What an agent hears on answering: who calls and why, then press 1 to accept."""
    response = VoiceResponse()
    whisper = Gather(
        input="dtmf",
        num_digits=1,
        timeout=WHISPER_SECONDS,
        action=decided_url,
        method="POST",
        action_on_empty_result=True,
    )
    text = f"Help desk transfer. {render_for_speech(summary)} {WHISPER_CHOICE}"
    whisper.say(xml_safe(text), voice=settings.voice, language=settings.language)
    response.append(whisper)
    return str(response)


def render_agent_joins(conference: str, settings: VoiceSettings) -> str:
    """The accepting agent enters the caller's conference; either leaving ends it."""
    response = VoiceResponse()
    response.say("Connecting you to the caller.", voice=settings.voice, language=settings.language)
    dial = Dial()
    dial.conference(
        conference, start_conference_on_enter=True, end_conference_on_exit=True, beep=False
    )
    response.append(dial)
    return str(response)


def render_agent_goodbye(text: str, settings: VoiceSettings) -> str:
    """A sentence to the agent, then their call ends."""
    response = VoiceResponse()
    response.say(xml_safe(text), voice=settings.voice, language=settings.language)
    response.hangup()
    return str(response)
