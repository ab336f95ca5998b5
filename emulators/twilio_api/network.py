"""The phone network: rings outbound legs, answers them as the agent's phone would, runs their
TwiML, moves live calls, and reports progress with signed status callbacks.

Each outbound leg runs as one asyncio task: queued -> ``initiated`` -> ringing
-> busy / no-answer / answered (``in-progress``) -> its TwiML -> completed.
``ring_seconds`` is how long a phone rings before its behaviour shows (the
call's ``Timeout`` caps it: ringing longer is no-answer); ``manual`` phones
ring until someone answers through ``/_emulator/calls/{sid}/answer`` or the
``Timeout`` passes. An inbound leg (``start_inbound``) calls the application
the same way, but at each ``<Gather>`` it waits for its driver's answer
(``emulators.twilio_call``, through ``/_emulator/calls/{sid}/caller``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import xml.etree.ElementTree as ET
from collections.abc import Coroutine
from typing import Any

from .calls import Exchange, Leg, Participant, now
from .resources import API_VERSION, rfc2822
from .signing import WebhookError, Webhooks
from .twiml_runner import APPLICATION_ERROR, TwimlRunner, seconds

logger = logging.getLogger("emulators.twilio_api")

KEYS = {"accept": "1", "decline": "9"}
EVENT_STATUS = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}


class Network:
    """Drives every outbound leg of a Exchange and sends what Twilio would send."""

    def __init__(self, board: Exchange, webhooks: Webhooks, time_scale: float) -> None:
        self.board = board
        self.webhooks = webhooks
        self.time_scale = time_scale
        self.tasks: set[asyncio.Task] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("network task failed: %r", task.exception())

    async def stop(self) -> None:
        """Cancel every leg and callback in flight (reset, shutdown)."""
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.tasks.clear()

    # -- outbound legs ---------------------------------------------------------

    def dial(self, call: Leg) -> None:
        """Start ringing a newly created outbound leg."""
        call.task = self.spawn(self._outbound(call))

    async def _outbound(self, call: Leg) -> None:
        try:
            agent = self.board.agent_for(call.to)
            call.behaviour = agent.behaviour
            self.notify(call, "initiated")
            await asyncio.sleep(0)
            call.touch("ringing")
            self.notify(call, "ringing")
            outcome = await self._ring(call, agent.behaviour, agent.ring_seconds)
            if outcome in ("busy", "no-answer"):
                self.finish(call, outcome)
                return
            call.behaviour = outcome
            call.start_time = now()
            call.touch("in-progress")
            self.notify(call, "answered")
        except asyncio.CancelledError:
            raise
        except Exception as problem:  # a bug here must end the call, not the emulator
            self._crashed(call, problem)
            return
        await self._run(call, call.url, call.method, call.twiml)

    async def _run(
        self,
        call: Leg,
        url: str | None,
        method: str,
        twiml: str | None,
        extra: dict[str, str] | None = None,
    ) -> None:
        """Fetch ``url`` (or take ``twiml``), run it and what it leads to, then complete."""
        try:
            if twiml is not None:
                await TwimlRunner(call, self).run(twiml, None)
            elif url is not None:
                document = await self.fetch(call, url, method, extra or {})
                if document is not None:
                    await TwimlRunner(call, self).run(document, url)
            self.finish(call, "completed")
        except asyncio.CancelledError:
            raise
        except Exception as problem:  # a bug here must end the call, not the emulator
            self._crashed(call, problem)

    def _crashed(self, call: Leg, problem: Exception) -> None:
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
        if ring_seconds > call.timeout:
            await asyncio.sleep(call.timeout)
            return "no-answer"
        await asyncio.sleep(ring_seconds)
        return behaviour

    def answer(self, call: Leg, behaviour: str) -> None:
        """A person picks up (or rejects) a ``manual`` phone that is ringing."""
        call.decision = behaviour
        call.decided.set()

    def start_inbound(self, call: Leg, url: str) -> None:
        """A caller dials in: the application's first webhook, then its TwiML."""
        call.task = self.spawn(self._run(call, url, "POST", None, {"CallStatus": "ringing"}))

    def retry(self, call: Leg) -> None:
        """Twilio sends the caller's last answer again and goes on with what comes back."""
        if call.last_answer is None:
            raise ValueError(f"{call.sid} has answered nothing yet")
        url, method, params = call.last_answer
        self._cancel(call)
        call.status, call.end_time = "in-progress", None
        call.task = self.spawn(self._run(call, url, method, None, params))

    async def repeat(self, call: Leg) -> str:
        """The caller's last answer sent again: the application's reply, not followed."""
        if call.last_answer is None:
            raise ValueError(f"{call.sid} has answered nothing yet")
        url, method, params = call.last_answer
        try:
            return (await self.webhooks.send(url, method, params)).text
        except WebhookError as problem:
            return f"({problem})"

    def redirect(self, call: Leg, url: str | None, method: str, twiml: str | None) -> None:
        """REST update with Url/Twiml: the live leg leaves what it does and runs the new TwiML."""
        call.redirects.append(url or "(twiml)")
        call.touch()
        self._leave(call)
        self._cancel(call)
        call.task = self.spawn(self._run(call, url, method, twiml))

    def finish(self, call: Leg, status: str) -> None:
        """End a leg (idempotent): leave its conference, stop its task, report ``completed``."""
        if call.ended:
            return
        call.end_time = now()
        call.awaiting_answer = False
        call.touch(status)
        self._leave(call)
        self._cancel(call)
        call.progress.set()
        self.notify(call, "completed")

    def _cancel(self, call: Leg) -> None:
        task = call.task
        if task is not None and task is not asyncio.current_task() and not task.done():
            task.cancel()

    def _leave(self, call: Leg) -> None:
        self.board.leave(call)

    # -- what the runner asks for ------------------------------------------------

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
        limit = verb.get("numDigits") or ""
        if digits and limit.isdigit() and int(limit) > 0:
            digits = digits[: int(limit)]
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

    async def fetch(self, call: Leg, url: str, method: str, extra: dict[str, str]) -> str | None:
        call.documents.append(url)
        params = {**self.call_params(call, call.status), **extra}
        if "Digits" in extra or "SpeechResult" in extra:
            call.last_answer = (url, method, params)
        started = time.monotonic()
        try:
            reply = await self.webhooks.send(url, method, params)
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

    # -- status callbacks ----------------------------------------------------------

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
            {
                "CallbackSource": "call-progress-events",
                "SequenceNumber": str(call.sequence),
                "Timestamp": rfc2822(now()) or "",
            }
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
                reply = await self.webhooks.send(
                    call.status_callback or "", call.status_callback_method, params
                )
                record["http_status"] = reply.status
            except WebhookError as problem:
                record["error"] = str(problem)
                call.errors.append(f"15003 status callback failed: {problem}")
            call.callbacks.append(record)
