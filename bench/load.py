"""Back-to-back scripted calls against one bot, every turn timed end to end.

A call is nine turns that mean the same to both bots: the greeting, a VPN
problem, its details, how urgent, the email, the confirmation (a ServiceNow
ticket), a status check (a ServiceNow read), "yes" to reusing the email, and
goodbye. The same words go to both; each call comes from a number of its own
(the stock channel keys conversations by the caller's number).

``callers`` callers dial at once; each starts its next call as soon as its
last ends, until the level's time is up, then finishes the turn in hand and
hangs up. A turn is timed from the POST of the answer to the TwiML that says
the reply, through :class:`emulators.twilio_call.TwilioCall`: for the
project, a turn that outlasts the budget gets the filler and a ``<Redirect>``
to ``/pending``, which is followed and counted in the turn's time; such a
turn is counted as one that reached the filler. The bot's own time for the
turn is the sum of what its ``Server-Timing`` headers said (the stock channel
sends none: unavailable).
"""

from __future__ import annotations

import contextlib
import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests

from bench.report import timings
from bench.stacks import Bot
from bench.usage import cpu_seconds
from emulators.twilio_call import TwilioCall

REQUEST_TIMEOUT_SECONDS = 30.0  # above Twilio's 15 s, so slow turns are measured, not lost


@dataclass(frozen=True)
class Step:
    """What the caller says (None: dial) and a phrase the reply must contain."""

    words: str | None
    expect: str


# Accounts the ServiceNow emulator seeds, spoken the way callers say them; calls
# take them in turn, so no one account gathers every ticket.
SPOKEN_EMAILS = (
    "beth dot anglin at example dot com",
    "abel dot tuter at example dot com",
    "fred dot luddy at example dot com",
    "david dot miller at example dot com",
)


def call_script(spoken_email: str) -> tuple[Step, ...]:
    """Open a VPN ticket by speech, check the caller's tickets, say goodbye."""
    return (
        Step(None, "help"),  # the project greets; the stock bot answers its "hello"
        Step("um my vpn keeps disconnecting", "what's going wrong"),
        Step("it drops every ten minutes when i'm working from home", "How urgent"),
        Step("it's urgent", "email"),
        Step(spoken_email, "high priority"),
        Step("yes that's right", "Your ticket number is"),
        Step("what's the status of my ticket", "same email"),
        Step("yes", "open ticket"),
        Step("no that's all thanks goodbye", "Goodbye"),
    )


SCRIPT = call_script(SPOKEN_EMAILS[0])


@dataclass(frozen=True)
class Turn:
    """One turn as the caller lived it."""

    words: str | None  # what the caller said (None: dialled)
    seconds: float
    in_time: bool  # answered before the level's time was up (throughput counts these)
    filler: bool  # answered through the filler and /pending
    expected: bool
    error: str | None = None
    heard: str = ""  # kept only when unexpected, to say what went wrong
    server: float | None = None  # the bot's own time (Server-Timing), when it says


_serials = itertools.count(1)  # next() on it is atomic: callers in threads share it


def run_call(bot: Bot, deadline: float) -> list[Turn]:
    """One call; stops after the turn in hand once ``deadline`` passed, or at an error."""
    serial = next(_serials)
    number = f"+1555{2000000 + serial:07d}"  # outside the directory's 555-01xx
    call = TwilioCall(bot.voice_url, bot.twilio_url, caller=number, timeout=REQUEST_TIMEOUT_SECONDS)
    turns: list[Turn] = []
    for index, step in enumerate(call_script(SPOKEN_EMAILS[serial % len(SPOKEN_EMAILS)])):
        if index and time.perf_counter() >= deadline:
            break
        start = time.perf_counter()
        try:
            heard = call.dial() if step.words is None else call.say(step.words)
        except (requests.RequestException, RuntimeError, ValueError) as error:
            seconds = time.perf_counter() - start
            turns.append(Turn(step.words, seconds, False, False, False, type(error).__name__))
            break
        now = time.perf_counter()
        expected = step.expect in heard.text
        timed = heard.server_seconds
        server = sum(timed) if timed and None not in timed else None  # type: ignore[arg-type]
        filler = len(heard.twiml) > 1
        said = "" if expected else heard.text[:80]
        turns.append(
            Turn(step.words, now - start, now <= deadline, filler, expected, None, said, server)
        )
        if heard.hung_up:
            break
    if not call.hung_up:  # the stock channel has no status route: a 404, not timed
        with contextlib.suppress(requests.RequestException, TimeoutError):
            call.hang_up()
    return turns


def run_level(bot: Bot, callers: int, seconds: float) -> tuple[dict[str, Any], list[Turn]]:
    """``callers`` back-to-back callers for ``seconds``: what the report keeps of the level
    (times in seconds), and the turns that failed or got a reply other than the scripted one."""
    calls: list[list[Turn]] = []

    def caller(deadline: float) -> None:
        while time.perf_counter() < deadline:
            calls.append(run_call(bot, deadline))  # one call's turns at once (atomic)

    cpu = cpu_seconds(bot.pids().values())
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=callers, thread_name_prefix="caller") as pool:
        for future in [pool.submit(caller, began + seconds) for _ in range(callers)]:
            future.result()
    wall = time.perf_counter() - began
    cpu = cpu_seconds(bot.pids().values()) - cpu
    turns = [turn for call in calls for turn in call]
    answered = [turn for turn in turns if turn.error is None]
    in_time = sum(1 for turn in answered if turn.in_time)
    server = [turn.server for turn in answered if turn.server is not None]
    figures = {
        "calls": len(calls),
        "turns": len(answered),
        "turns_in_time": in_time,
        "errors": len(turns) - len(answered),
        "unexpected": sum(1 for turn in answered if not turn.expected),
        "filler_turns": sum(1 for turn in turns if turn.filler),
        **timings([turn.seconds for turn in answered]),
        **timings(server, "server_"),
        "turns_per_second": in_time / seconds,
        "wall_s": wall,
        "cpu_seconds": cpu,
        "cores_used": cpu / wall if wall else 0.0,
        "turns_per_core_second": len(answered) / cpu if cpu else 0.0,
    }
    return figures, [turn for turn in turns if turn.error or not turn.expected]
