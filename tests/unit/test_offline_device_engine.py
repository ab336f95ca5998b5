"""The offline device's caller: what a step hears, with a scripted assistant.

No stack here: ``ScriptedCall`` stands in for ``TwilioCall`` and answers each
action with a turn, so listening rules (end of speech, finishOnPhrase,
listeningTimeout, repeatOnPhrase, pauses, keys) are checked on their own.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from e2e.device.engine import CallEngine, Step
from e2e.device.switches import Switchboard
from e2e.device.utterances import Utterance, phrase_end
from emulators.twilio_call import Turn

GREETING = "Hi, you've reached the IT help desk. What can I help you with?"


def turn(*says: str, hangup: bool = False, timeout: str = "5", num_digits: str = "1") -> Turn:
    gather = None if hangup else {"timeout": timeout, "numDigits": num_digits}
    return Turn(says=list(says), gather=gather, hung_up=hangup)


class ScriptedCall:
    """Answers like the assistant: ``on_say``/``on_keys`` decide, silence reprompts."""

    def __init__(self, on_say: Callable[[str], Turn] | None = None) -> None:
        self.on_say = on_say or (lambda words: turn(f"You said {words}."))
        self.hung_up = False
        self.actions: list[str] = []
        self.silences = 0
        self.transcript: list[tuple[str, str]] = []

    def _done(self, result: Turn) -> Turn:
        if result.hung_up:
            self.hung_up = True
        return result

    def dial(self) -> Turn:
        self.actions.append("dial")
        return turn(GREETING)

    def say(self, words: str, confidence: float = 0.9) -> Turn:
        self.actions.append(f"say:{words}")
        self.silences = 0
        return self._done(self.on_say(words))

    def press(self, digits: str) -> Turn:
        self.actions.append(f"press:{digits}")
        return turn(f"You pressed {digits}.")

    def silence(self) -> Turn:
        self.actions.append("silence")
        self.silences += 1
        if self.silences >= 3:
            return self._done(turn("I'll end the call now. Goodbye.", hangup=True))
        return turn("Are you still there? What can I help you with?")

    def hang_up(self) -> None:
        self.actions.append("hang_up")
        self.hung_up = True

    # -- a hand-off: <Dial><Conference>, then an agent or a redirect back ----------
    conference: str | None = None
    after_hold: Turn | None = None

    def wait_on_hold(self, timeout: float = 20.0) -> Turn:
        self.actions.append("hold")
        self.conference = None
        assert self.after_hold is not None
        return self.after_hold


def holding(call: ScriptedCall, after: Turn) -> Callable[[str], Turn]:
    def answer(words: str) -> Turn:
        call.conference = "handoff-1"
        call.after_hold = after
        return Turn(
            says=["I'm connecting you to an agent now. Please hold."], conference="handoff-1"
        )

    return answer


class RecordingSwitchboard(Switchboard):
    def __init__(self) -> None:
        super().__init__({})
        self.log: list[tuple[str, object]] = []

    def apply(self, settings) -> None:  # type: ignore[no-untyped-def]
        for name, value in settings.items():
            if name == "servicenowFault":
                self.log.append((name, value))

    def reset(self) -> None:
        self.log.append(("reset", None))


def play(call: ScriptedCall, *steps: Step, settings: dict | None = None):
    return CallEngine(call).run(list(steps), settings or {})  # type: ignore[arg-type]


def test_a_step_hears_the_turn_until_the_assistant_listens() -> None:
    call = ScriptedCall()
    dial, hello = play(call, Step("$DIAL"), Step("hello"))
    assert dial.transcript == GREETING
    assert hello.transcript == "You said hello."
    assert call.actions == ["dial", "say:hello", "hang_up"]  # the caller hangs up last


def test_finish_on_phrase_keeps_listening_through_silence_and_cuts_after_it() -> None:
    call = ScriptedCall(lambda words: turn("One moment.", "Done. Anything else? Bye for now."))
    (_, waited, cut) = play(
        call,
        Step("$DIAL", {"finishOnPhrase": "what can i help you with"}),
        Step("hello", {"finishOnPhrase": "are you still there"}),
        Step("more", {"finishOnPhrase": ["nothing like this", "anything else"]}),
    )
    assert waited.transcript == "One moment. Done. Anything else? Bye for now. Are you still there?"
    assert call.actions[:3] == ["dial", "say:hello", "silence"]
    assert cut.transcript == "One moment. Done. Anything else?"


def test_a_phrase_never_heard_lasts_until_the_assistant_hangs_up() -> None:
    call = ScriptedCall()
    (_, result) = play(call, Step("$DIAL"), Step("hello", {"finishOnPhrase": "never said"}))
    assert result.call_ended
    assert result.transcript.endswith("Goodbye.")
    assert call.actions.count("silence") == 3


def test_listening_timeout_cuts_by_simulated_time() -> None:
    long_answer = " ".join(["word"] * 50)  # 20 s at 2.5 words a second
    call = ScriptedCall(lambda words: turn(long_answer))
    (_, result) = play(call, Step("$DIAL"), Step("hello", {"listeningTimeout": 4}))
    assert result.transcript == " ".join(["word"] * 10)
    assert result.listened_seconds == 4


def test_listening_timeout_longer_than_the_turn_hears_the_reprompt() -> None:
    call = ScriptedCall(lambda words: turn("Okay."))  # 0.4 s, then a 5 s gather
    (_, result) = play(call, Step("$DIAL"), Step("hello", {"listeningTimeout": 8}))
    assert result.transcript.startswith("Okay. Are you still there?")


def test_repeat_on_phrase_makes_the_caller_say_it_again() -> None:
    answers = iter([turn("Sorry, I didn't catch that. What's your email?"), turn("Thanks.")])
    call = ScriptedCall(lambda words: next(answers))
    (_, result) = play(
        call,
        Step("$DIAL"),
        Step("abel at example dot com"),
        settings={"repeatOnPhrase": "didn't catch"},
    )
    assert call.actions.count("say:abel at example dot com") == 2
    assert result.repeats == 1
    assert result.transcript.endswith("Thanks.")


def test_pauses_add_up_against_the_gather_timeout() -> None:
    call = ScriptedCall()
    results = play(call, Step("$DIAL"), Step("$PAUSE 3"), Step("$PAUSE 3"), Step("$PAUSE 6"))
    assert [r.transcript for r in results[1:]] == [
        "",
        "Are you still there? What can I help you with?",
        "Are you still there? What can I help you with?",
    ]
    assert call.actions.count("silence") == 2


def test_empty_utterance_and_bare_pause_are_one_silence() -> None:
    call = ScriptedCall()
    results = play(call, Step("$DIAL"), Step(""), Step("$PAUSE"), Step("$PAUSE"), Step("hello"))
    assert results[-1].transcript.endswith("Goodbye.")
    assert results[-1].call_ended
    assert len(results) == 4  # "hello" is never played: the assistant hung up
    assert call.actions[-1] == "silence"


def test_keys_are_pressed_as_many_per_gather_as_it_takes() -> None:
    call = ScriptedCall()
    (_, result) = play(call, Step("$DIAL"), Step("$42"))
    assert call.actions[1:3] == ["press:4", "press:2"]
    assert result.transcript == "You pressed 4. You pressed 2."


def test_a_call_that_does_not_start_with_dial_is_dialled_first() -> None:
    call = ScriptedCall()
    (result,) = play(call, Step("hello"))
    assert call.actions[:2] == ["dial", "say:hello"]
    assert result.transcript == "You said hello."


def test_caller_number_sets_the_from_of_the_call_before_it_is_placed() -> None:
    call = ScriptedCall()
    call.caller = "+15555550100"  # type: ignore[attr-defined]
    play(call, Step("$DIAL"), settings={"callerNumber": "+15555550123"})
    assert call.caller == "+15555550123"  # type: ignore[attr-defined]
    unchanged = ScriptedCall()
    unchanged.caller = "+15555550100"  # type: ignore[attr-defined]
    play(unchanged, Step("$DIAL"))
    assert unchanged.caller == "+15555550100"  # type: ignore[attr-defined]


def test_audio_and_a_second_dial_are_errors_that_stop_the_call() -> None:
    call = ScriptedCall()
    results = play(call, Step("$DIAL"), Step("https://example.com/hello.wav"), Step("hello"))
    assert len(results) == 2
    assert results[1].error and "audio" in results[1].error
    results = play(ScriptedCall(), Step("$DIAL"), Step("$DIAL"))
    assert results[1].error and "already up" in results[1].error


def test_switches_are_set_per_step_and_reset_when_the_call_ends() -> None:
    switches = RecordingSwitchboard()
    engine = CallEngine(ScriptedCall(), switches)  # type: ignore[arg-type]
    engine.run([Step("$DIAL"), Step("hello", {"servicenowFault": "server_error"})], {})
    assert switches.log == [("servicenowFault", "server_error"), ("reset", None)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("$DIAL", "dial", ""),
        ("$1", "keys", "1"),
        ("$6286", "keys", "6286"),
        ("$PAUSE 6", "pause", ""),
        ("$PAUSE", "silence", ""),
        ("", "silence", ""),
        ("https://example.com/a.wav", "audio", "https://example.com/a.wav"),
        ("yes", "speech", "yes"),
    ],
)
def test_utterances_are_read_like_bespoken(text: str, kind: str, value: str) -> None:
    utterance = Utterance.parse(text)
    assert (utterance.kind, utterance.text) == (kind, value)


def test_phrases_match_words_in_order_whatever_the_punctuation() -> None:
    text = "Shall I open the ticket? Say yes or press 1, or no or press 2."
    assert text[: phrase_end(text, "or no or press 2")] == text
    assert text[: phrase_end(text, "shall i open the ticket")] == "Shall I open the ticket?"
    assert phrase_end(text, "press 12") is None
    assert phrase_end(text, "open ticket") is None


def test_a_hand_off_an_agent_takes_ends_what_the_assistant_says() -> None:
    call = ScriptedCall()
    call.on_say = holding(call, Turn(conference="handoff-1", agent_joined=True))
    (_, held, quiet) = play(
        call, Step("$DIAL"), Step("agent", {"listeningTimeout": 20}), Step("$PAUSE 5")
    )
    assert held.transcript == "I'm connecting you to an agent now. Please hold."
    assert held.with_agent and quiet.with_agent
    assert quiet.transcript == ""
    assert call.actions == ["dial", "say:agent", "hold", "hang_up"]


def test_back_from_the_hold_is_heard_when_listening_on() -> None:
    call = ScriptedCall()
    call.on_say = holding(call, turn("Sorry, no agent is free right now. Shall I do that?"))
    (_, result) = play(call, Step("$DIAL"), Step("agent", {"finishOnPhrase": "shall i do that"}))
    assert result.transcript == (
        "I'm connecting you to an agent now. Please hold. "
        "Sorry, no agent is free right now. Shall I do that?"
    )
    assert not result.with_agent


def test_at_end_of_speech_the_hold_is_waited_out_before_the_next_step() -> None:
    call = ScriptedCall()
    first = holding(call, turn("Sorry, no agent is free right now. Shall I do that?"))
    call.on_say = lambda words: first(words) if words == "agent" else turn("How urgent is it?")
    (_, held, answer) = play(call, Step("$DIAL"), Step("agent"), Step("yes please"))
    assert held.transcript.endswith("Please hold.")
    assert answer.transcript == "How urgent is it?"
    assert call.actions[2:4] == ["hold", "say:yes please"]


def test_speaking_to_an_agent_is_not_something_the_assistant_hears() -> None:
    call = ScriptedCall()
    call.on_say = holding(call, Turn(conference="handoff-1", agent_joined=True))
    results = play(call, Step("$DIAL"), Step("agent", {"listeningTimeout": 5}), Step("hello"))
    assert results[-1].error and "a person has taken the call" in results[-1].error
