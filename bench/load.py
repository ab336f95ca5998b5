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

import itertools
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from bench.report import Summary
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

    step: int  # index in SCRIPT
    seconds: float
    ended: float  # perf_counter when the reply arrived
    filler: bool  # answered through the filler and /pending
    expected: bool
    error: str | None = None
    heard: str = ""  # kept only when unexpected, to say what went wrong
    server: float | None = None  # the bot's own time (Server-Timing), when it says


@dataclass
class Level:
    """Every turn of ``callers`` back-to-back callers over ``seconds``."""

    callers: int
    seconds: float  # callers start calls until then
    began: float = 0.0  # perf_counter
    wall: float = 0.0  # until the last caller hung up
    cpu_seconds: float = 0.0  # used by the bot's processes over ``wall``
    calls: int = 0
    turns: list[Turn] = field(default_factory=list)

    def latencies(self) -> list[float]:
        return [turn.seconds for turn in self.turns if turn.error is None]

    def server_times(self) -> list[float]:
        return [t.server for t in self.turns if t.error is None and t.server is not None]

    def turns_in_time(self) -> int:
        """Turns answered before the level's time was up (throughput counts these)."""
        return sum(
            1 for t in self.turns if t.error is None and t.ended - self.began <= self.seconds
        )

    @property
    def errors(self) -> list[Turn]:
        return [turn for turn in self.turns if turn.error is not None]

    @property
    def unexpected(self) -> list[Turn]:
        return [turn for turn in self.turns if turn.error is None and not turn.expected]

    @property
    def filler_turns(self) -> int:
        return sum(1 for turn in self.turns if turn.filler)

    def figures(self) -> dict[str, float | int | None]:
        """What the report keeps of the level (times in seconds)."""
        latencies, server = self.latencies(), self.server_times()
        summary = Summary.of(latencies) if latencies else None
        on_server = Summary.of(server) if server else None
        return {
            "calls": self.calls,
            "turns": len(latencies),
            "turns_in_time": self.turns_in_time(),
            "errors": len(self.errors),
            "unexpected": len(self.unexpected),
            "filler_turns": self.filler_turns,
            "p50_s": summary.p50 if summary else None,
            "p95_s": summary.p95 if summary else None,
            "p99_s": summary.p99 if summary else None,
            "max_s": summary.max if summary else None,
            "server_p50_s": on_server.p50 if on_server else None,
            "server_p95_s": on_server.p95 if on_server else None,
            "turns_per_second": self.turns_in_time() / self.seconds,
            "wall_s": self.wall,
            "cpu_seconds": self.cpu_seconds,
            "cores_used": self.cpu_seconds / self.wall if self.wall else 0.0,
            "turns_per_core_second": len(latencies) / self.cpu_seconds if self.cpu_seconds else 0.0,
        }


_numbers: Iterator[int] = itertools.count(1)
_numbers_lock = threading.Lock()


def _next_serial() -> int:
    with _numbers_lock:
        return next(_numbers)


def caller_number(serial: int) -> str:
    """The number of the run's ``serial``-th call, outside the directory's 555-01xx."""
    return f"+1555{2000000 + serial:07d}"


def run_call(bot: Bot, deadline: float) -> list[Turn]:
    """One call; stops after the turn in hand once ``deadline`` passed, or at an error."""
    serial = _next_serial()
    call = TwilioCall(
        bot.voice_url, bot.twilio_url, caller=caller_number(serial), timeout=REQUEST_TIMEOUT_SECONDS
    )
    turns: list[Turn] = []
    for index, step in enumerate(call_script(SPOKEN_EMAILS[serial % len(SPOKEN_EMAILS)])):
        if index and time.perf_counter() >= deadline:
            break
        start = time.perf_counter()
        try:
            heard = call.dial() if step.words is None else call.say(step.words)
        except (requests.RequestException, RuntimeError, ValueError) as error:
            now = time.perf_counter()
            turns.append(Turn(index, now - start, now, False, False, type(error).__name__))
            break
        now = time.perf_counter()
        expected = step.expect in heard.text
        said = "" if expected else heard.text[:80]
        timed = heard.server_seconds
        server = sum(timed) if timed and None not in timed else None  # type: ignore[arg-type]
        turns.append(
            Turn(index, now - start, now, len(heard.twiml) > 1, expected, None, said, server)
        )
        if heard.hung_up:
            break
    if not call.hung_up:
        try:
            call.hang_up()  # the stock channel has no status route: a 404, not timed
        except (requests.RequestException, TimeoutError):
            pass
    return turns


def run_level(bot: Bot, callers: int, seconds: float) -> Level:
    """``callers`` back-to-back callers for ``seconds``."""
    level = Level(callers, seconds)
    lock = threading.Lock()

    def caller(deadline: float) -> None:
        while time.perf_counter() < deadline:
            turns = run_call(bot, deadline)
            with lock:
                level.calls += 1
                level.turns.extend(turns)

    cpu_before = cpu_seconds(bot.pids())
    level.began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=callers, thread_name_prefix="caller") as pool:
        for future in [pool.submit(caller, level.began + seconds) for _ in range(callers)]:
            future.result()
    level.wall = time.perf_counter() - level.began
    level.cpu_seconds = cpu_seconds(bot.pids()) - cpu_before
    return level


def warm_up(bot: Bot) -> list[Turn]:
    """One untimed call: a fresh Rasa loads lazily what its first turns need."""
    return run_call(bot, time.perf_counter() + 3600)
