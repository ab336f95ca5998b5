"""How fast the words are understood: Duckling over HTTP, spoken emails and priorities.

* Duckling: the ``/parse`` request Rasa's ``DucklingEntityExtractor`` sends
  (same form fields, dimensions and locale as ``rasa_bot/config.yml``, one new
  connection per request as Rasa makes it), one after another, against the
  stack's Duckling server; then the same texts through :class:`DucklingParser`
  in this process, so the share of HTTP in the latency shows.
* :func:`speech.spoken_email.parse_spoken_email` and
  :func:`speech.priority.parse_priority` in this process, over answers as
  speech recognition writes them; each answer's expected result is checked,
  so a fast wrong parser does not pass unnoticed.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import requests

from bench.report import percentile
from speech.priority import parse_priority
from speech.spoken_email import parse_spoken_email

# As in rasa_bot/config.yml (DucklingEntityExtractor).
DUCKLING_DIMS = ("email", "number")
DUCKLING_LOCALE = "en_US"
DUCKLING_TIMEZONE = "America/New_York"
DUCKLING_TIMEOUT_SECONDS = 5.0

# What callers say in a ticket call: every answer goes through Duckling.
DUCKLING_TEXTS = (
    "um my vpn keeps disconnecting",
    "it drops every ten minutes when i'm working from home",
    "it's urgent",
    "abel dot tuter at example dot com",
    "my email is beth.anglin@example.com",
    "yes that's right",
    "what's the status of my ticket",
    "priority two",
    "the printer on the third floor is jammed",
    "j p k at bespoken dot i o",
)

EMAIL_ANSWERS = (
    ("abel dot tuter at example dot com", "abel.tuter@example.com"),
    ("my email is abraham dot lincoln at example dot com", "abraham.lincoln@example.com"),
    ("um it's fred dot luddy at example dot com", "fred.luddy@example.com"),
    ("j p k at bespoken dot i o", "jpk@bespoken.io"),
    ("john underscore smith at example dot com", "john_smith@example.com"),
    ("it's beth.anglin@example.com", "beth.anglin@example.com"),
    ("j as in juliet p for papa k at bespoken dot io", "jpk@bespoken.io"),
    ("agent double oh seven at example dot com", "agent007@example.com"),
    ("jane dash doe at example dot co dot uk", "jane-doe@example.co.uk"),
    ("no wait it's david dot miller at example dot com thanks", "david.miller@example.com"),
    ("i don't know my email", None),
)

PRIORITY_ANSWERS = (
    ("it's urgent", "high"),
    ("it's blocking me", "high"),
    ("number one", "high"),
    ("hi", "high"),
    ("kind of urgent", "medium"),
    ("so so", "medium"),
    ("two", "medium"),
    ("no rush", "low"),
    ("it's not urgent", "low"),
    ("whenever you get a chance", "low"),
    ("no the priority is low", "low"),
    ("high sorry medium", "medium"),
    ("no one can work", "high"),
    ("i'm not sure", None),
)


def duckling_payload(text: str) -> dict[str, str]:
    """The form Rasa 3.6 posts to ``/parse``."""
    return {
        "text": text,
        "locale": DUCKLING_LOCALE,
        "tz": DUCKLING_TIMEZONE,
        "dims": json.dumps(list(DUCKLING_DIMS)),
        "reftime": str(int(time.time() * 1000)),
    }


def duckling_over_http(base_url: str, count: int) -> tuple[list[float], float]:
    """Latency of ``count`` sequential ``/parse`` requests, and their total wall time."""
    url = base_url.rstrip("/") + "/parse"
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    latencies: list[float] = []
    began = time.perf_counter()
    for index in range(count):
        payload = duckling_payload(DUCKLING_TEXTS[index % len(DUCKLING_TEXTS)])
        start = time.perf_counter()
        reply = requests.post(url, data=payload, headers=headers, timeout=DUCKLING_TIMEOUT_SECONDS)
        reply.raise_for_status()
        reply.json()
        latencies.append(time.perf_counter() - start)
    return latencies, time.perf_counter() - began


def duckling_in_process(count: int) -> tuple[list[float], float]:
    """The same parses through :class:`DucklingParser` here, without HTTP."""
    from duckling_server.parser import DucklingParser  # starts the Haskell runtime

    parser = DucklingParser(default_timezone=DUCKLING_TIMEZONE)
    parser.parse(DUCKLING_TEXTS[0], DUCKLING_LOCALE, None, DUCKLING_DIMS)  # first-use costs
    latencies: list[float] = []
    began = time.perf_counter()
    for index in range(count):
        text = DUCKLING_TEXTS[index % len(DUCKLING_TEXTS)]
        start = time.perf_counter()
        parser.parse(text, DUCKLING_LOCALE, None, DUCKLING_DIMS, time.time() * 1000)
        latencies.append(time.perf_counter() - start)
    return latencies, time.perf_counter() - began


@dataclass(frozen=True)
class Throughput:
    """Seconds per call (median of the passes) and how many answers came out right."""

    per_call: float
    calls: int
    correct: int
    answers: int

    @property
    def per_second(self) -> float:
        return 1.0 / self.per_call if self.per_call > 0 else math.inf


def throughput(
    parse: Callable[[str], object],
    answers: Sequence[tuple[str, object]],
    passes: int = 5,
    pass_seconds: float = 0.2,
) -> Throughput:
    """Times ``parse`` over ``answers`` in ``passes`` passes of about ``pass_seconds``.

    The corpus is repeated within a pass so a pass is long enough for the clock;
    the per-call time is the median pass's time over its number of calls.
    """
    texts = [text for text, _ in answers]
    correct = sum(1 for text, expected in answers if parse(text) == expected)
    start = time.perf_counter()
    for text in texts:
        parse(text)
    once = max(time.perf_counter() - start, 1e-9)
    repeats = max(1, math.ceil(pass_seconds / once))
    per_call: list[float] = []
    for _ in range(passes):
        start = time.perf_counter()
        for _ in range(repeats):
            for text in texts:
                parse(text)
        per_call.append((time.perf_counter() - start) / (repeats * len(texts)))
    return Throughput(
        percentile(per_call, 50), passes * repeats * len(texts), correct, len(answers)
    )


def spoken_email_throughput() -> Throughput:
    return throughput(parse_spoken_email, EMAIL_ANSWERS)


def priority_throughput() -> Throughput:
    return throughput(parse_priority, PRIORITY_ANSWERS)
