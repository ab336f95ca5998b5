"""What goes wrong while a caller files a ticket, and what must still come out of it.

Each scenario drives whole calls through the signed voice webhook of a running
stack (stack.isolated), injects one fault (ServiceNow slow, silent after a
write, or down; a webhook retried; the action server or Rasa killed mid-turn),
and reports how many incidents the calls created, what the caller heard, and
the longest request Twilio made.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from textwrap import shorten

from tabulate import tabulate

from emulators.twilio_call import TwilioCall
from stack.isolated import IsolatedStack

ABEL = "abel dot tuter at example dot com"
NUMBER_HEARD = re.compile(r"ticket number is I N C")
SAVED = "I've saved your request and it will be filed automatically"
BEING_FILED = "already saved and being filed"


@dataclass
class Outcome:
    scenario: str
    expected: int
    created: int
    heard: str
    longest_turn: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.created == self.expected and not self.problems


@dataclass(frozen=True)
class Timing:
    """How long the outage lasts, and how long ServiceNow waits before a deferred retry."""

    outage_seconds: float = 60.0
    settle_seconds: float = 30.0
    client_timeout_seconds: float = 4.0


def to_confirmation(call: TwilioCall) -> str:
    """Reports a VPN problem and answers every question; returns the read-back."""
    call.dial()
    call.say("um my vpn keeps disconnecting")
    call.say("it drops every ten minutes when i'm working from home")
    call.say("it's urgent")
    return call.say(ABEL).text


def _outcome(
    name: str, stack: IsolatedStack, calls: list[TwilioCall], expected: int, heard: str, wait=0.0
) -> Outcome:
    """With ``wait``, the calls' incidents are polled for up to that long (filing may be
    late), then counted again a second later (nothing more may arrive)."""

    def created() -> int:
        query = "correlation_idSTARTSWITH{}"
        return sum(len(stack.servicenow.incidents(query.format(call.sid))) for call in calls)

    deadline = time.monotonic() + wait
    if wait:
        while created() < expected and time.monotonic() <= deadline:
            time.sleep(0.5)
        time.sleep(1.0)
    longest = max((d for call in calls for d in call.durations), default=0.0)
    return Outcome(name, expected, created(), heard, longest)


def _written_then_unanswered(
    stack: IsolatedStack, name: str, mode: str, **options: float
) -> Outcome:
    """ServiceNow writes the incident and then fails to answer: the caller hears its number."""
    call = stack.call()
    to_confirmation(call)
    stack.servicenow.set_fault(mode, count=1, **options)
    heard = call.say("yes").text
    outcome = _outcome(name, stack, [call], 1, heard)
    if not NUMBER_HEARD.search(heard):
        outcome.problems.append("the caller did not hear the number of the incident that exists")
    return outcome


def late_answer(stack: IsolatedStack, timing: Timing) -> Outcome:
    """ServiceNow writes the incident, then answers after the client gave up."""
    delay = timing.client_timeout_seconds + 2
    return _written_then_unanswered(
        stack, "late answer after the write", "slow_after_commit", delay_seconds=delay
    )


def dropped_answer(stack: IsolatedStack, timing: Timing) -> Outcome:
    """ServiceNow writes the incident, then closes the connection without answering."""
    return _written_then_unanswered(
        stack, "connection dropped after the write", "drop_after_commit"
    )


def slow_servicenow(stack: IsolatedStack, timing: Timing) -> Outcome:
    """ServiceNow takes longer than any turn; the caller says yes again afterwards."""
    call = stack.call()
    to_confirmation(call)
    stack.servicenow.set_fault("slow", delay_seconds=timing.settle_seconds - 2, count=1)
    heard = call.say("yes").text
    call.say("yes")
    outcome = _outcome(
        "ServiceNow slower than a turn", stack, [call], 1, heard, timing.settle_seconds + 20
    )
    if SAVED not in heard:
        outcome.problems.append("the caller was not told the request is saved")
    return outcome


def retried_webhook(stack: IsolatedStack, timing: Timing) -> Outcome:
    """Twilio sends the caller's "yes" again, once after the answer and twice at once."""
    call = stack.call()
    to_confirmation(call)
    heard = call.say("yes").text
    answers = [call.repeat_last_request()]
    with ThreadPoolExecutor(2) as pool:
        answers += pool.map(lambda _: call.repeat_last_request(), range(2))
    outcome = _outcome("webhook retried by Twilio", stack, [call], 1, heard)
    if len(set(answers)) != 1:
        outcome.problems.append("retries of one request got different answers")
    if not all("I N C" in answer for answer in answers):
        outcome.problems.append("a retry did not get the answer with the ticket number")
    return outcome


def _killed_while_filing(stack: IsolatedStack, service: str) -> tuple[TwilioCall, str]:
    """The caller confirms; ``service`` dies while ServiceNow is still writing, then restarts.

    Returns the call and what the caller heard for the "yes" (empty if nothing came back).
    """
    call = stack.call()
    to_confirmation(call)
    stack.servicenow.set_fault("slow", delay_seconds=3, count=1)
    with ThreadPoolExecutor(1) as pool:  # leaving it waits for the caller's turn to end
        turn = pool.submit(call.say, "yes")
        time.sleep(1.0)
        stack.kill(service)
    stack.restart(service)
    return call, "" if turn.exception() else turn.result().text


def actions_killed(stack: IsolatedStack, timing: Timing) -> Outcome:
    """The action server dies while it files the ticket, and comes back."""
    call, heard = _killed_while_filing(stack, "action-server")
    again = call.say("yes").text
    name, wait = "action server killed while filing", timing.settle_seconds + 30
    outcome = _outcome(name, stack, [call], 1, f"{heard} | {again}", wait)
    if "anything else" in heard.lower() and "went wrong" not in heard:
        outcome.problems.append("the caller heard the empty filler after a failed turn")
    if "went wrong" not in heard:
        outcome.problems.append("the caller was not told that something went wrong")
    return outcome


def rasa_killed(stack: IsolatedStack, timing: Timing) -> Outcome:
    """Rasa dies mid-turn; Twilio retries the request once Rasa is back."""
    call, _ = _killed_while_filing(stack, "rasa")
    heard = call.retry_last_answer().text
    outcome = _outcome(
        "Rasa killed while filing", stack, [call], 1, heard, timing.settle_seconds + 30
    )
    if not (NUMBER_HEARD.search(heard) or SAVED in heard or BEING_FILED in heard):
        outcome.problems.append("after the restart the caller did not hear what became of it")
    return outcome


def outage_with_five_callers(stack: IsolatedStack, timing: Timing) -> Outcome:
    """ServiceNow is down while five callers each confirm a ticket; then it returns."""
    calls = [stack.call(caller=f"+1555555{1000 + n}") for n in range(5)]
    for call in calls:
        to_confirmation(call)
    stack.servicenow.set_fault("server_error")
    heard = [call.say("yes").text for call in calls]
    time.sleep(timing.outage_seconds)
    stack.servicenow.set_fault("none")
    name = f"ServiceNow down {timing.outage_seconds:.0f} s, 5 callers"
    outcome = _outcome(name, stack, calls, 5, heard[0], timing.outage_seconds + 45)
    if not all(SAVED in text for text in heard):
        outcome.problems.append("not every caller was told the request is saved")
    return outcome


SCENARIOS: dict[str, Callable[[IsolatedStack, Timing], Outcome]] = {
    scenario.__name__: scenario
    for scenario in (late_answer, dropped_answer, slow_servicenow, retried_webhook,
                     actions_killed, rasa_killed, outage_with_five_callers)
}  # fmt: skip


def table(outcomes: list[Outcome]) -> str:
    """The Markdown table ``make chaos`` prints and the README keeps."""
    header = ("scenario", "incidents expected", "incidents created", "what the caller heard",
              "longest turn")  # fmt: skip
    rows = [
        (o.scenario, o.expected, o.created, shorten(o.heard, 110, placeholder="..."),
         f"{o.longest_turn:.1f} s")
        for o in outcomes
    ]  # fmt: skip
    return tabulate(rows, header, tablefmt="github")
