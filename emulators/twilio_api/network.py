"""The phone network: rings outbound legs, answers them as the agent's phone would, runs their
TwiML, moves live calls, and reports progress with signed status callbacks.

Each outbound leg runs as one asyncio task: queued -> ``initiated`` -> ringing
-> busy / no-answer / answered (``in-progress``) -> its TwiML -> completed.
``ring_seconds`` is how long a phone rings before its behaviour shows (the
call's ``Timeout`` caps it: ringing longer is no-answer); ``manual`` phones
ring until someone answers through ``/_emulator/calls/{sid}/answer`` or the
``Timeout`` passes. Inbound legs are played by the caller-side driver: the
network only records what the REST API asks of them (``pending_redirect``).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Coroutine
from typing import Any

from .calls import Call, Participant, Switchboard, now
from .resources import API_VERSION, rfc2822
from .signing import WebhookError, Webhooks
from .twiml_runner import APPLICATION_ERROR, TwimlRunner

logger = logging.getLogger("emulators.twilio_api")

KEYS = {"accept": "1", "decline": "9"}
EVENT_STATUS = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}


class Network:
    """Drives every outbound leg of a Switchboard and sends what Twilio would send."""

    def __init__(self, board: Switchboard, webhooks: Webhooks, time_scale: float) -> None:
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

    def dial(self, call: Call) -> None:
        """Start ringing a newly created outbound leg."""
        call.task = self.spawn(self._outbound(call))

    async def _outbound(self, call: Call) -> None:
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
            if call.twiml is not None:
                await TwimlRunner(call, self).run(call.twiml, None)
            elif call.url is not None:
                document = await self.fetch(call, call.url, call.method, {})
                if document is not None:
                    await TwimlRunner(call, self).run(document, call.url)
            self.finish(call, "completed")
        except asyncio.CancelledError:
            raise
        except Exception as problem:  # a bug here must end the call, not the emulator
            logger.exception("leg %s failed", call.sid)
            call.errors.append(f"emulator error: {type(problem).__name__}")
            self.finish(call, "failed")

    async def _ring(self, call: Call, behaviour: str, ring_seconds: float) -> str:
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

    def answer(self, call: Call, behaviour: str) -> None:
        """A person picks up (or rejects) a ``manual`` phone that is ringing."""
        call.decision = behaviour
        call.decided.set()

    def redirect(self, call: Call, url: str | None, method: str, twiml: str | None) -> None:
        """REST update with Url/Twiml: the live leg leaves what it does and runs the new TwiML."""
        call.redirects.append(url or "(twiml)")
        call.touch()
        self._leave(call)
        if call.direction == "inbound":
            call.pending_redirect, call.pending_method, call.pending_twiml = url, method, twiml
            return
        self._cancel(call)
        call.task = self.spawn(self._run_redirect(call, url, method, twiml))

    async def _run_redirect(
        self, call: Call, url: str | None, method: str, twiml: str | None
    ) -> None:
        try:
            if twiml is not None:
                await TwimlRunner(call, self).run(twiml, None)
            elif url is not None:
                document = await self.fetch(call, url, method, {})
                if document is not None:
                    await TwimlRunner(call, self).run(document, url)
            self.finish(call, "completed")
        except asyncio.CancelledError:
            raise
        except Exception as problem:
            logger.exception("leg %s failed after a redirect", call.sid)
            call.errors.append(f"emulator error: {type(problem).__name__}")
            self.finish(call, "failed")

    def end_by_request(self, call: Call, status: str) -> None:
        """REST update with Status: ``canceled`` stops a queued/ringing call, ``completed``
        ends any live one (a ringing call then ends as canceled)."""
        if call.ended:
            return
        if call.status in ("queued", "ringing"):
            self.finish(call, "canceled")
        elif status == "completed":
            self.finish(call, "completed")

    def finish(self, call: Call, status: str) -> None:
        """End a leg (idempotent): leave its conference, stop its task, report ``completed``."""
        if call.ended:
            return
        call.end_time = now()
        call.awaiting_answer = False
        call.touch(status)
        self._leave(call)
        self._cancel(call)
        self.notify(call, "completed")

    def _cancel(self, call: Call) -> None:
        task = call.task
        if task is not None and task is not asyncio.current_task() and not task.done():
            task.cancel()

    def _leave(self, call: Call) -> None:
        self.after_conference_end(self.board.leave(call))

    def after_conference_end(self, call_sids: list[str]) -> None:
        """Legs put out of an ended conference: outbound ones go on with their TwiML (their
        ``<Dial>`` returns); inbound ones, played by the driver, are completed."""
        for sid in call_sids:
            other = self.board.calls.get(sid)
            if other is not None and other.direction == "inbound":
                self.finish(other, "completed")

    # -- what the runner asks for ------------------------------------------------

    def digits_for(self, call: Call) -> str | None:
        return KEYS.get(call.behaviour or "")

    async def pause(self, seconds: float) -> None:
        await asyncio.sleep(seconds * self.time_scale)

    def join(self, call: Call, name: str, start_on_enter: bool, end_on_exit: bool) -> Participant:
        _, participant = self.board.join(
            name, call, start_on_enter=start_on_enter, end_on_exit=end_on_exit
        )
        return participant

    async def fetch(self, call: Call, url: str, method: str, extra: dict[str, str]) -> str | None:
        call.documents.append(url)
        params = {**self.call_params(call, call.status), **extra}
        try:
            reply = await self.webhooks.send(url, method, params)
        except WebhookError as problem:
            call.errors.append(f"11200 {problem}")
            call.heard.append(APPLICATION_ERROR)
            return None
        return reply.text

    # -- status callbacks ----------------------------------------------------------

    def call_params(self, call: Call, status: str) -> dict[str, str]:
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

    def notify(self, call: Call, event: str) -> None:
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

    async def _deliver(self, call: Call, event: str, params: dict[str, str]) -> None:
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
