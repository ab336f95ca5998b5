"""Whole calls through the signed voice webhook, every turn timed by kind.

One call is what a caller does most: dial, report a VPN problem by speech, say
how urgent it is and the email on the account, confirm the ticket, then ask
for the status of their tickets. Each turn is timed from the caller's side
(:class:`emulators.twilio_call.TwilioCall`, the same signed requests Twilio
sends), from the POST of the answer until the TwiML that says the reply; when
the turn outlasts the channel's budget, that includes the filler and the
``<Redirect>`` that collects the answer.

Turn kinds:

* ``greeting`` - the first webhook of a call (session start, greeting);
* ``NLU only`` - understood and answered by Rasa and the action server's form
  validation, with no ServiceNow request;
* ``ServiceNow lookup`` - the email is looked up in ``sys_user``, or the
  caller's incidents are read;
* ``ticket creation`` - the incident is created in ServiceNow.

Twilio gives up on a webhook request after 15 s, so that limit is checked per
HTTP request; the turn budget is checked against the whole turn.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from bench.local_stack import Target
from emulators.twilio_call import TwilioCall

GREETING = "greeting"
NLU_ONLY = "NLU only"
LOOKUP = "ServiceNow lookup"
CREATION = "ticket creation"
KINDS = (GREETING, NLU_ONLY, LOOKUP, CREATION)

TWILIO_LIMIT_SECONDS = 15.0
REQUEST_TIMEOUT_SECONDS = 30.0  # above Twilio's limit, so slow turns are measured, not lost

# Accounts the ServiceNow emulator seeds, spoken the way callers say them.
SPOKEN_EMAILS = (
    "abel dot tuter at example dot com",
    "beth dot anglin at example dot com",
    "fred dot luddy at example dot com",
    "david dot miller at example dot com",
)


@dataclass(frozen=True)
class Step:
    """One thing the caller does (``words`` None: dial), and a phrase of the reply."""

    kind: str
    words: str | None
    expect: str


def call_script(spoken_email: str) -> tuple[Step, ...]:
    """Open a VPN ticket by speech, confirm it, then check the caller's tickets."""
    return (
        Step(GREETING, None, "help desk"),
        Step(NLU_ONLY, "um my vpn keeps disconnecting", "what's going wrong"),
        Step(NLU_ONLY, "it drops every ten minutes when i'm working from home", "How urgent"),
        Step(NLU_ONLY, "it's urgent", "email"),
        Step(LOOKUP, spoken_email, "high priority"),
        Step(CREATION, "yes that's right", "Your ticket number is"),
        Step(NLU_ONLY, "what's the status of my ticket", "same email"),
        Step(LOOKUP, "yes", "Ticket I N C"),
    )


@dataclass(frozen=True)
class TurnTiming:
    """One turn as the caller lived it."""

    kind: str
    seconds: float  # from the answer's POST to the TwiML with the reply
    longest_request: float  # the slowest single webhook request of the turn
    expected: bool  # the reply had the phrase the script expects
    error: str | None = None


class TimedCall(TwilioCall):
    """A call that records how long each signed webhook request takes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.request_seconds: list[float] = []

    def post(self, url: str, extra: dict[str, str]) -> requests.Response:
        start = time.perf_counter()
        try:
            return super().post(url, extra)
        finally:
            self.request_seconds.append(time.perf_counter() - start)


def run_call(target: Target, spoken_email: str, caller: str) -> list[TurnTiming]:
    """One whole call; a turn that fails ends the call (the rest is not timed)."""
    call = TimedCall(
        target.voice_url,
        target.auth_token,
        caller=caller,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )  # no Twilio REST emulator: the script has no hand-off, and only webhooks are timed
    timings: list[TurnTiming] = []
    for step in call_script(spoken_email):
        call.request_seconds.clear()
        start = time.perf_counter()
        try:
            turn = call.dial() if step.words is None else call.say(step.words)
        except (requests.RequestException, RuntimeError, ValueError) as error:
            elapsed = time.perf_counter() - start
            longest = max(call.request_seconds, default=elapsed)
            failure = f"{type(error).__name__}: {error}"
            timings.append(TurnTiming(step.kind, elapsed, longest, False, failure))
            break
        elapsed = time.perf_counter() - start
        timings.append(
            TurnTiming(
                kind=step.kind,
                seconds=elapsed,
                longest_request=max(call.request_seconds, default=elapsed),
                expected=step.expect in turn.text,
            )
        )
        if turn.hung_up:
            break
    if not call.hung_up:
        try:
            call.hang_up()
        except requests.RequestException:
            pass  # the status callback is not part of the benchmark
    return timings


@dataclass
class ScenarioResult:
    """Every turn of a scenario, and how long the scenario took."""

    callers: int
    calls: int
    wall_seconds: float
    turns: list[TurnTiming] = field(default_factory=list)

    def seconds(self, kind: str | None = None) -> list[float]:
        """Wall times of the completed turns, of one kind or of all."""
        return [
            turn.seconds
            for turn in self.turns
            if turn.error is None and (kind is None or turn.kind == kind)
        ]

    @property
    def failures(self) -> list[TurnTiming]:
        return [turn for turn in self.turns if turn.error is not None]

    @property
    def unexpected(self) -> list[TurnTiming]:
        return [turn for turn in self.turns if turn.error is None and not turn.expected]


def _caller_number(index: int) -> str:
    return f"+1555555{index:04d}"


def _calls_of_one_caller(target: Target, caller: int, calls: int) -> list[TurnTiming]:
    timings: list[TurnTiming] = []
    for number in range(calls):
        email = SPOKEN_EMAILS[(caller + number) % len(SPOKEN_EMAILS)]
        timings.extend(run_call(target, email, _caller_number(100 + caller)))
    return timings


def run_scenario(target: Target, calls_per_caller: int, callers: int = 1) -> ScenarioResult:
    """``callers`` callers at once, each making ``calls_per_caller`` calls one after another."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=callers, thread_name_prefix="caller") as pool:
        futures = [
            pool.submit(_calls_of_one_caller, target, caller, calls_per_caller)
            for caller in range(callers)
        ]
        per_caller = [future.result() for future in futures]
    result = ScenarioResult(callers, callers * calls_per_caller, time.perf_counter() - start)
    for timings in per_caller:
        result.turns.extend(timings)
    return result


def warm_up(target: Target) -> Sequence[TurnTiming]:
    """One untimed call: the first turns of a fresh Rasa load lazily what they need."""
    return run_call(target, SPOKEN_EMAILS[0], _caller_number(99))
