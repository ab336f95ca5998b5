"""The phone network: rings outbound legs, answers them as the agent's phone would, runs their
TwiML, moves live calls, and reports progress with signed webhooks and status callbacks.

Each outbound leg runs as one asyncio task: queued -> ``initiated`` -> ringing
-> busy / no-answer / answered (``in-progress``) -> its TwiML -> completed.
``ring_seconds`` is how long a phone rings before its behaviour shows (the
call's ``Timeout`` caps it: ringing longer is no-answer); ``manual`` phones
ring until someone answers through ``/_emulator/calls/{sid}/answer`` or the
``Timeout`` passes. An inbound leg (``start_inbound``) calls the application
the same way, but at each ``<Gather>`` it waits for its driver's answer
(``emulators.twilio_call``, through ``/_emulator/calls/{sid}/caller``).

Requests to the application are POSTs (the product asks for POST everywhere,
so ``method`` and ``Method`` are not read) carrying ``X-Twilio-Signature``,
twilio's own ``RequestValidator.compute_signature`` over the URL and the form
parameters. Twilio gives up on a webhook after 15 seconds, and so does this network.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Coroutine
from email.utils import format_datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import aiohttp
from twilio.request_validator import RequestValidator
from yarl import URL

from .calls import Exchange, Leg, Participant, now
from .twiml_runner import APPLICATION_ERROR, TwimlRunner, seconds

logger = logging.getLogger("emulators.twilio_api")

KEYS = {"accept": "1", "decline": "9"}
EVENT_STATUS = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}
API_VERSION = "2010-04-01"
WEBHOOK_TIMEOUT_SECONDS = 15.0


class WebhookError(Exception):
    """The application did not answer, or answered with an error status."""


class WebhookReply(NamedTuple):
    status: int
    text: str
    server_seconds: float | None  # what the application's Server-Timing header said


class Network:
    """Drives every leg of an Exchange and sends what Twilio would send, signed."""

    def __init__(self, board: Exchange, auth_token: str, time_scale: float) -> None:
        self.board = board
        self.validator = RequestValidator(auth_token)
        self.time_scale = time_scale
        self.tasks: set[asyncio.Task] = set()
        self.session: aiohttp.ClientSession | None = None

    async def send(self, url: str, params: dict[str, str]) -> WebhookReply:
        """POST ``params`` to ``url``, signed; WebhookError unless 2xx."""
        if self.session is None:
            timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_SECONDS)
            self.session = aiohttp.ClientSession(timeout=timeout)
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, params)}
        where = "".join(urlsplit(url)[1:3])  # for logs: no query string, it may carry data
        started = time.monotonic()
        try:
            async with self.session.post(
                URL(url, encoded=True), data=params, headers=headers
            ) as reply:  # encoded: sent exactly as signed (yarl would requote "%3A" to ":")
                status, text = reply.status, await reply.text()
                timing = reply.headers.get("Server-Timing", "")  # its first dur, in ms
                dur = re.search(r"(?:^|;)\s*dur=([0-9.]+)", timing)
        except (aiohttp.ClientError, asyncio.TimeoutError) as problem:
            logger.info("webhook %s failed: %s", where, type(problem).__name__)
            raise WebhookError(f"{type(problem).__name__} requesting {where}") from None
        elapsed = (time.monotonic() - started) * 1000
        logger.info("webhook %s -> %s (%.0f ms)", where, status, elapsed)
        if not 200 <= status < 300:
            raise WebhookError(f"HTTP {status} from {where}")
        return WebhookReply(status, text, float(dur.group(1)) / 1000 if dur else None)

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("network task failed: %r", task.exception())

    async def stop(self, closing: bool = False) -> None:
        """Cancel every leg and callback in flight (reset; ``closing``: shutdown)."""
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.tasks.clear()
        if closing and self.session is not None:
            await self.session.close()

    def dial(self, call: Leg) -> None:
        """Start ringing a newly created outbound leg."""
        call.task = self.spawn(self._run(call, call.url, call.twiml, ring=True))

    async def _answered(self, call: Leg) -> bool:
        """Ring an outbound leg: True once answered; busy or no answer ends it."""
        agent = self.board.agents.get(call.to, self.board.default_agent)
        call.behaviour = agent.behaviour
        self.notify(call, "initiated")
        await asyncio.sleep(0)
        call.status = "ringing"
        self.notify(call, "ringing")
        outcome = await self._ring(call, agent.behaviour, agent.ring_seconds)
        if outcome in ("busy", "no-answer"):
            self.finish(call, outcome)
            return False
        call.behaviour = outcome
        call.start_time = now()
        call.status = "in-progress"
        self.notify(call, "answered")
        return True

    async def _run(
        self,
        call: Leg,
        url: str | None,
        twiml: str | None,
        extra: dict[str, str] | None = None,
        ring: bool = False,
    ) -> None:
        """Ring first (``ring``), fetch ``url`` (or take ``twiml``), run it and what it leads
        to, then complete."""
        try:
            if ring and not await self._answered(call):
                return
            if twiml is not None:
                await TwimlRunner(call, self).run(twiml, None)
            elif url is not None:
                document = await self.fetch(call, url, extra or {})
                if document is not None:
                    await TwimlRunner(call, self).run(document, url)
            self.finish(call, "completed")
        except asyncio.CancelledError:
            raise
        except Exception as problem:  # a bug here must end the call, not the emulator
            logger.error("leg %s failed", call.sid, exc_info=problem)
            call.errors.append(f"emulator error: {type(problem).__name__}")
            self.finish(call, "failed")

    async def _ring(self, call: Leg, behaviour: str, ring_seconds: float) -> str:
        if behaviour == "manual":
            call.awaiting_answer = True
            try:
                await asyncio.wait_for(call.decided.wait(), timeout=call.timeout)
            except asyncio.TimeoutError:
                return "no-answer"
            finally:
                call.awaiting_answer = False
            return call.decision or "no-answer"
        await asyncio.sleep(min(ring_seconds, call.timeout))
        return behaviour if ring_seconds <= call.timeout else "no-answer"

    def start_inbound(self, call: Leg, url: str) -> None:
        """A caller dials in: the application's first webhook, then its TwiML."""
        call.task = self.spawn(self._run(call, url, None, {"CallStatus": "ringing"}))

    def retry(self, call: Leg) -> None:
        """Twilio sends the caller's last answer again and goes on with what comes back."""
        if call.last_answer is None:
            raise ValueError(f"{call.sid} has answered nothing yet")
        url, params = call.last_answer
        self._cancel(call)
        call.status, call.end_time = "in-progress", None
        call.task = self.spawn(self._run(call, url, None, params))

    async def repeat(self, call: Leg) -> str:
        """The caller's last answer sent again: the application's reply, not followed."""
        if call.last_answer is None:
            raise ValueError(f"{call.sid} has answered nothing yet")
        url, params = call.last_answer
        try:
            return (await self.send(url, params)).text
        except WebhookError as problem:
            return f"({problem})"

    def redirect(self, call: Leg, url: str | None, twiml: str | None) -> None:
        """REST update with Url/Twiml: the live leg leaves what it does and runs the new TwiML."""
        call.redirects.append(url or "(twiml)")
        self.board.leave(call)
        self._cancel(call)
        call.task = self.spawn(self._run(call, url, twiml))

    def finish(self, call: Leg, status: str) -> None:
        """End a leg (idempotent): leave its conference, stop its task, report ``completed``."""
        if call.ended:
            return
        call.end_time = now()
        call.awaiting_answer = False
        call.status = status
        self.board.leave(call)
        self._cancel(call)
        call.progress.set()
        self.notify(call, "completed")

    def _cancel(self, call: Leg) -> None:
        task = call.task
        if task is not None and task is not asyncio.current_task() and not task.done():
            task.cancel()

    async def gather(self, call: Leg, verb: ET.Element) -> dict[str, str] | None:
        """An inbound leg waits for its driver; an agent's phone presses its key or keeps quiet."""
        if call.direction == "inbound":
            call.listening = dict(verb.attrib)
            call.progress.set()
            try:
                return await call.inputs.get() or None
            finally:
                call.listening = None
        inputs = (verb.get("input") or "dtmf").split()
        digits = KEYS.get(call.behaviour or "") if "dtmf" in inputs else None
        if digits:
            return {"Digits": digits, "FinishedOnKey": ""}
        await asyncio.sleep(seconds(verb, "timeout", 5.0) * self.time_scale)
        return None

    def join(self, call: Leg, name: str, start_on_enter: bool, end_on_exit: bool) -> Participant:
        conference, participant = self.board.join(
            name, call, start_on_enter=start_on_enter, end_on_exit=end_on_exit
        )
        for sid in conference.participants:  # drivers on hold see who joined
            if (leg := self.board.calls.get(sid)) is not None:
                leg.progress.set()
        return participant

    async def fetch(self, call: Leg, url: str, extra: dict[str, str]) -> str | None:
        call.documents.append(url)
        params = {**self.call_params(call, call.status), **extra}
        if "Digits" in extra or "SpeechResult" in extra:
            call.last_answer = (url, params)
        started = time.monotonic()
        try:
            reply = await self.send(url, params)
        except WebhookError as problem:
            call.errors.append(f"11200 {problem}")
            call.heard.append(APPLICATION_ERROR)
            call.server_seconds.append(None)
            return None
        finally:
            call.request_seconds.append(time.monotonic() - started)
        call.server_seconds.append(reply.server_seconds)
        call.replies.append(reply.text)
        return reply.text

    def call_params(self, call: Leg, status: str) -> dict[str, str]:
        return {
            "AccountSid": call.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": call.sid,
            "CallStatus": status,
            "Called": call.to,
            "Caller": call.from_,
            "Direction": call.direction,
            "From": call.from_,
            "To": call.to,
        }

    def notify(self, call: Leg, event: str) -> None:
        """Queue the status callback of ``event`` when the call asked for it."""
        if not call.status_callback or event not in call.status_callback_events:
            return
        params = self.call_params(call, EVENT_STATUS.get(event, call.status))
        params.update(
            CallbackSource="call-progress-events",
            SequenceNumber=str(call.sequence),
            Timestamp=format_datetime(now()),
        )
        call.sequence += 1
        if event == "completed":
            duration = call.duration or 0
            params["CallDuration"] = str(duration)
            params["Duration"] = str(math.ceil(duration / 60))
        self.spawn(self._deliver(call, event, params))

    async def _deliver(self, call: Leg, event: str, params: dict[str, str]) -> None:
        async with call.callback_lock:  # FIFO: callbacks of one call arrive in order
            record: dict[str, object] = {"event": event, "call_status": params["CallStatus"]}
            try:
                reply = await self.send(call.status_callback or "", params)
                record["http_status"] = reply.status
            except WebhookError as problem:
                record["error"] = str(problem)
                call.errors.append(f"15003 status callback failed: {problem}")
            call.callbacks.append(record)
