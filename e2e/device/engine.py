"""One Bespoken test played as one phone call against the voice webhook.

The offline stand-in for Bespoken's telephony virtual device. Twilio's side of
the call is the Twilio emulator's phone network, reached through
``emulators.twilio_call.TwilioCall`` (signed webhooks, the TwiML run, Redirects
followed, a completed status callback at the end); this module plays the
caller and listens the way the device does:

- ``$DIAL`` places the call; ``$1``, ``$42`` press keys; an empty utterance or
  ``$PAUSE`` is silence until the ``<Gather>`` times out; ``$PAUSE n`` keeps
  quiet for n seconds.
- What a step hears is everything the assistant says after the utterance until
  it stops talking and listens (Bespoken's end-of-speech detection). With
  ``finishOnPhrase`` the caller keeps listening (staying silent, so the
  assistant's ``<Gather>`` times out and it reprompts) until the phrase is
  heard, and the text after it is cut; with ``listeningTimeout`` it listens for
  that many seconds. Hearing a ``repeatOnPhrase`` makes the caller say the
  utterance again (at most twice).
- Time is simulated: speech takes ``WORDS_PER_SECOND``, silence lasts the
  ``<Gather timeout>``; nothing actually sleeps.

Recognition is perfect here (the caller's words arrive as ``SpeechResult``),
so homophones and fuzzy phrase matching matter only against the real number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from e2e.device.switches import Switchboard, SwitchError
from e2e.device.utterances import Listening, StepError, Utterance, phrase_end
from emulators.twilio_call import Turn, TwilioCall

logger = logging.getLogger("e2e.device")

WORDS_PER_SECOND = 2.5
DEFAULT_GATHER_TIMEOUT = 5.0
MAX_REPEATS = 2
HOLD_TIMEOUT = 30.0  # real seconds to wait in a hand-off conference


@dataclass(frozen=True)
class Step:
    utterance: str
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class StepResult:
    """What the caller heard after one step (one entry of the device's ``results``)."""

    message: str
    transcript: str
    call_ended: bool = False
    listened_seconds: float = 0.0
    repeats: int = 0
    error: str | None = None
    with_agent: bool = False
    debug: dict[str, Any] = field(default_factory=dict)  # more for the report (audio mode)

    def as_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message": self.message,
            "transcript": self.transcript,
            "debug": {
                "callEnded": self.call_ended,
                "withAgent": self.with_agent,
                "listenedSeconds": round(self.listened_seconds, 1),
                "repeats": self.repeats,
                **self.debug,
            },
        }
        if self.error:
            result["error"] = {"message": self.error, "error_category": "system"}
        return result


class _Ear:
    """Collects what is heard during one step, against the simulated clock."""

    def __init__(self, listening: Listening) -> None:
        self.listening = listening
        self.text = ""
        self.elapsed = 0.0
        self.finished = False

    def hear(self, turn: Turn) -> float:
        """Adds what ``turn`` says; returns how long it spoke (simulated seconds)."""
        limit = self.listening.limit if self.listening.keeps_listening else None
        spoken = 0.0
        for said in turn.says:
            if self.finished:
                break
            words = said.split()
            duration = len(words) / WORDS_PER_SECOND
            if limit is not None and self.elapsed + duration > limit:
                fits = max(0, int((limit - self.elapsed) * WORDS_PER_SECOND))
                self._add(" ".join(words[:fits]))
                spoken += limit - self.elapsed
                self.elapsed = limit
                self.finished = True
                break
            self._add(said)
            self.elapsed += duration
            spoken += duration
            for phrase in self.listening.finish_on:
                end = phrase_end(self.text, phrase)
                if end is not None:
                    self.text = self.text[:end]
                    self.finished = True
                    break
        return spoken

    def _add(self, text: str) -> None:
        if text:
            self.text = f"{self.text} {text}" if self.text else text


class CallEngine:
    """Plays a test's steps as one call: ``run()`` returns one result per step played.

    The call stops early when the assistant hangs up (later steps get no
    result, as with the real device) or when a step cannot be played (its
    result carries ``error``). The caller hangs up after the last step.
    """

    def __init__(self, call: TwilioCall, switchboard: Switchboard | None = None) -> None:
        self.call = call
        self.switchboard = switchboard or Switchboard({})
        self.dialled = False
        self.last_turn: Turn | None = None
        self.quiet = 0.0  # seconds the pending <Gather> has been waiting
        self.with_agent = False  # a hand-off went through: a person has the call

    def run(
        self,
        steps: Sequence[Step],
        call_settings: Mapping[str, Any] | None = None,
        on_result: Callable[[StepResult], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[StepResult]:
        call_settings = dict(call_settings or {})
        results: list[StepResult] = []
        emit = on_result or (lambda result: None)
        if number := call_settings.get("callerNumber"):  # the From number (offline device only)
            self.call.caller = str(number)
        try:
            self.switchboard.apply(call_settings)
            for step in steps:
                if (should_stop and should_stop()) or self.call.hung_up:
                    break
                result = self.play(step, call_settings)
                if result is None:
                    break
                results.append(result)
                emit(result)
                if result.error:
                    break
        except SwitchError as error:
            results.append(StepResult(message="", transcript="", error=str(error)))
            emit(results[-1])
        finally:
            self.finish()
        return results

    def finish(self) -> None:
        """The caller hangs up (if the assistant has not) and the emulators are reset."""
        try:
            if self.dialled and not self.call.hung_up:
                self.call.hang_up()
        except OSError as error:  # requests' errors and TimeoutError are OSErrors
            logger.warning("hanging up failed: %s", error)
        try:
            self.switchboard.reset()
        except SwitchError as error:
            logger.warning("could not reset the emulators: %s", error)

    def play(self, step: Step, call_settings: Mapping[str, Any]) -> StepResult | None:
        """One step: the caller's action, then listening (None: the call had ended)."""
        try:
            listening = Listening.from_settings(call_settings, step.settings)
            utterance = Utterance.parse(step.utterance)
            self.switchboard.apply(step.settings)
            if utterance.kind == "audio":
                raise StepError(
                    "playing an audio file needs Bespoken's device, not the offline one"
                )
            if utterance.kind == "dial" and self.dialled:
                raise StepError("$DIAL again in the same test: the call is already up")
            if utterance.kind != "dial" and not self.dialled:
                self._turn(self.call.dial())  # Bespoken dials first; the greeting is not asserted
                self.dialled = True
            if self._on_hold():
                self._turn(self._wait_on_hold())  # the caller waited for the hold to end
            if self.call.hung_up:
                return None
            if self.with_agent and utterance.repeatable:
                raise StepError("a person has taken the call: the assistant no longer listens")
            ear = _Ear(listening)
            repeats = 0 if self.with_agent else self._listen(ear, utterance, listening)
            return StepResult(
                message=step.utterance,
                transcript=ear.text,
                call_ended=self.call.hung_up,
                listened_seconds=ear.elapsed,
                repeats=repeats,
                with_agent=self.with_agent,
            )
        except (StepError, SwitchError) as error:
            return StepResult(step.utterance, "", self.call.hung_up, error=str(error))
        # OSError: requests' errors (the emulator refused), and the TimeoutError of a call
        # where nothing happened; the voice webhook's own failures are heard, as on Twilio
        except (OSError, ValueError, RuntimeError) as error:
            return StepResult(step.utterance, "", True, error=f"the call failed: {error}")

    def _act(self, utterance: Utterance) -> Turn | None:
        """Does what the step says; None when the caller only keeps quiet."""
        if utterance.kind == "dial":
            self.dialled = True
            return self._turn(self.call.dial())
        if utterance.kind == "speech":
            return self._turn(self.call.say(utterance.text))
        if utterance.kind == "keys":
            return self._press(utterance.text)
        if utterance.kind == "silence":
            return self._turn(self.call.silence())
        return None  # pause: time passes in _listen

    def _listen(self, ear: _Ear, utterance: Utterance, listening: Listening) -> int:
        repeats = 0
        turn = self._act(utterance)
        pause_left = utterance.seconds if utterance.kind == "pause" else 0.0
        while True:
            if turn is not None:
                pause_left = max(0.0, pause_left - ear.hear(turn))
                if ear.finished or self.call.hung_up or self.with_agent:
                    return repeats
                if self._on_hold():  # <Dial><Conference>: a hand-off is ringing an agent
                    if not listening.keeps_listening:
                        return repeats  # end of speech: "Please hold." and the caller waits
                    turn = self._turn(self._wait_on_hold())
                    continue
                heard = (phrase_end(turn.text, phrase) for phrase in listening.repeat_on)
                if utterance.repeatable and repeats < MAX_REPEATS and any(heard):
                    repeats += 1
                    turn = self._act(utterance)
                    continue
                if not listening.keeps_listening and pause_left <= 0:
                    return repeats
            # The caller says nothing: the assistant's <Gather> runs out.
            wait = max(0.0, self._gather_number("timeout", DEFAULT_GATHER_TIMEOUT) - self.quiet)
            if pause_left > 0:
                if wait > pause_left:
                    self.quiet += pause_left
                    ear.elapsed += pause_left
                    pause_left = 0.0
                    if not listening.keeps_listening:
                        return repeats
                    turn = None
                    continue
                pause_left -= wait
            elif ear.elapsed + wait > listening.limit:
                self.quiet += max(0.0, listening.limit - ear.elapsed)
                ear.elapsed = listening.limit
                return repeats
            ear.elapsed += wait
            turn = self._turn(self.call.silence())

    def _press(self, digits: str) -> Turn:
        """Key presses, as many per <Gather> as its numDigits takes."""
        merged = Turn()
        while digits:
            size = max(0, int(self._gather_number("numDigits", 0))) or len(digits)
            chunk, digits = digits[:size], digits[size:]
            turn = self._turn(self.call.press(chunk))
            merged.says.extend(turn.says)  # all that is heard; the rest is last_turn's
            if turn.hung_up:
                break
        return merged

    def _turn(self, turn: Turn) -> Turn:
        self.last_turn = turn
        self.quiet = 0.0
        if turn.agent_joined:
            self.with_agent = True
        return turn

    def _on_hold(self) -> bool:
        """In a hand-off conference, waiting for an agent."""
        return bool(self.call.conference) and not self.with_agent

    def _wait_on_hold(self) -> Turn:
        try:
            return self.call.wait_on_hold(timeout=HOLD_TIMEOUT)
        except (TimeoutError, RuntimeError) as error:
            raise StepError(f"on hold: {error}") from None

    def _gather_number(self, name: str, default: float) -> float:
        """A number of the waiting ``<Gather>`` (``timeout``, ``numDigits``), or ``default``."""
        gather = (self.last_turn.gather if self.last_turn else None) or {}
        try:
            return float(gather.get(name, default))
        except ValueError:
            return default
