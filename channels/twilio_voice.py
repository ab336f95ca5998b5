"""Twilio Voice input channel: one Rasa conversation per phone call.

Routes under ``/webhooks/twilio_voice``:

- ``POST /webhook``: the number's voice URL; starts the conversation and greets.
- ``POST /gather``: the caller's answer (speech, a key, or nothing).
- ``POST /pending``: collects a turn that outlasted the turn budget; without a
  ``key``, says the last turn again (a call redirected here mid-call).
- ``POST /status``: the call's status callback; a finished call leaves no form
  waiting.
- ``POST /agent_answered``, ``/agent_decided``, ``/agent_status``: the agent's
  call of a hand-off (handoff.switchboard: whisper, accept or decline, no
  answer); ``POST /back_from_hold``: no agent took the call, the assistant
  goes on.
- ``POST /takeover``: the console's take-over (JSON ``call_sid``,
  ``operator_phone``; Rasa's API token as ``token``): ring only that phone.
- ``GET /``: health: 200 when every part answers, 503 naming what does not.

Every other POST must carry a valid ``X-Twilio-Signature``. A turn's answer is
stored under the request's key before it is returned, so a request Twilio
retries is answered again, not run again, on whichever replica it reaches.
Any fault becomes spoken TwiML (an apology and a way forward), never a 500.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from channels.assistant import RasaAssistant
from channels.call import BadRequest, CallFacts, read_call
from channels.conversation import Counters, VoiceConversation
from channels.signature import SignatureCheck, signed_params
from channels.takeover import take_over
from channels.turn import AssistantUnavailable
from channels.twiml import render_goodbye, render_wait
from channels.urls import call_tag, channel_url
from handoff.switchboard import Switchboard
from settings import (
    HandoffSettings,
    StoreSettings,
    TwilioRestSettings,
    VoiceSettings,
    load_environment,
)
from stores.database import StoreUnreachable, open_database
from stores.handoffs import HandoffStore
from stores.replies import ReplyStore
from telephony.twilio_rest import TwilioRest

logger = logging.getLogger(__name__)
# Loading a model sets the root logger to WARNING (Rasa 3.6 with the scikit-learn
# intent classifier), which would silence the operators' per-turn line: the
# Rasa process's own packages keep INFO.
for _package in ("channels", "handoff", "stores", "telephony"):
    logging.getLogger(_package).setLevel(logging.INFO)

ENDED_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
# Every answer says how long the server worked on it (W3C Server-Timing), which the
# bench reports beside the times the caller lived.
SERVER_TIMING, SERVER_TIMING_METRIC = "Server-Timing", "app"
FILLER = "One moment while I check."
STILL_WORKING = "Still working on it."
TOO_LONG = "Sorry, that's taking too long on my side."
WENT_WRONG = "Sorry, something went wrong on my side."
UNAVAILABLE = "Sorry, I'm having trouble on my side right now. Please say that again in a moment."
MAX_WAITS = 3
REPLIES_KEPT_SECONDS = 24 * 3600
HANDOFFS_KEPT_SECONDS = 24 * 3600
Produce = Callable[[CallFacts, Counters], Awaitable[str]]


class TwilioVoiceChannel(InputChannel):
    """Rasa input channel for Twilio Voice (``channels.twilio_voice.TwilioVoiceChannel``)."""

    @classmethod
    def name(cls) -> str:
        return "twilio_voice"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        load_environment()
        return cls(
            VoiceSettings.from_env(overrides=credentials or {}),
            HandoffSettings.from_env(),
            StoreSettings.from_env(),
        )

    def __init__(
        self, settings: VoiceSettings, handoff: HandoffSettings, stores: StoreSettings
    ) -> None:
        self.settings = settings
        self.handoff = handoff
        self.stores = stores
        self.signature = SignatureCheck(settings)
        self._replies: ReplyStore | None = None
        self._switchboard: Switchboard | None = None
        self._handoffs: HandoffStore | None = None
        self._rest: TwilioRest | None = None
        self._assistant: RasaAssistant | None = None
        self._agent: Any = None
        self._running: dict[str, asyncio.Task[str]] = {}
        if not settings.validate_signature:
            logger.warning("TWILIO_VALIDATE_SIGNATURE is off: anyone can post to the voice webhook")

    # -- parts, built on first use (the agent exists only once Rasa has started) --

    def assistant(self, request: Request) -> RasaAssistant:
        agent = request.app.ctx.agent
        if self._assistant is None or agent is not self._agent:
            self._agent = agent
            self._assistant = RasaAssistant(
                agent, self.stores.lock_lifetime_seconds, self.settings.duckling_url
            )
        return self._assistant

    def replies(self) -> ReplyStore:
        if self._replies is None:
            self._replies = ReplyStore(
                open_database(self.stores), stale_after_seconds=self.stores.lock_lifetime_seconds
            )
            # Twilio retries within seconds: a day's answers is plenty, older ones go.
            self._replies.purge(older_than_seconds=REPLIES_KEPT_SECONDS)
        return self._replies

    def switchboard(self) -> Switchboard:
        if self._switchboard is None:
            self._switchboard = Switchboard(
                self.handoff, self.settings, self.handoff_store, self.twilio
            )
        return self._switchboard

    def handoff_store(self) -> HandoffStore:
        if self._handoffs is None:
            self._handoffs = HandoffStore(open_database(self.stores))
            self._handoffs.purge(older_than_seconds=HANDOFFS_KEPT_SECONDS)  # summaries name callers
        return self._handoffs

    def twilio(self) -> TwilioRest:
        """The process's one Twilio REST client (the hand-off's calls and redirects)."""
        if self._rest is None:
            self._rest = TwilioRest(TwilioRestSettings.from_env())
        return self._rest

    def conversation(self, request: Request, call_sid: str | None = None) -> VoiceConversation:
        """The conversation of ``call_sid`` (by default the call Twilio's form names)."""
        sid = request.form.get("CallSid", "") if call_sid is None else call_sid
        base = self.signature.public_base(request)
        return VoiceConversation(
            self.assistant(request),
            self.settings,
            self.handoff,
            lambda counters: channel_url(base, "gather", call_sid=sid, **counters.query()),
            self.switchboard(),
        )

    # -- routes ---------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        voice = Blueprint("twilio_voice_webhook", __name__)

        @voice.middleware("request")
        async def clock_in(request: Request) -> None:
            request.ctx.received = time.perf_counter()

        @voice.middleware("response")
        async def server_timing(request: Request, reply: HTTPResponse) -> None:
            received = getattr(request.ctx, "received", None)
            if received is not None:  # the handler's time, without the network's
                spent = (time.perf_counter() - received) * 1000
                reply.headers[SERVER_TIMING] = f"{SERVER_TIMING_METRIC};dur={spent:.1f}"

        @voice.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            parts = await self.assistant(request).health()
            failed = {name: state for name, state in parts.items() if state != "ok"}
            if failed:
                logger.warning("health: %s", "; ".join(f"{k}: {v}" for k, v in failed.items()))
                return response.json({"status": "unavailable", "failed": failed}, status=503)
            return response.json({"status": "ok", "parts": parts})

        @voice.route("/webhook", methods=["POST"])
        async def call_started(request: Request) -> HTTPResponse:
            return await self._turn(request, lambda call, _: self.conversation(request).start(call))

        @voice.route("/gather", methods=["POST"])
        async def caller_answered(request: Request) -> HTTPResponse:
            return await self._turn(request, self.conversation(request).answer)

        @voice.route("/back_from_hold", methods=["POST"])
        async def back_from_hold(request: Request) -> HTTPResponse:
            async def produce(call: CallFacts, counters: Counters) -> str:
                outcome = await self.switchboard().outcome(request.args.get("handoff", ""))
                return await self.conversation(request).back_from_hold(call, counters, outcome)

            return await self._turn(request, produce)

        @voice.route("/pending", methods=["POST"])
        async def pending_turn(request: Request) -> HTTPResponse:
            return await self._pending(request)

        @voice.route("/status", methods=["POST"])
        async def call_status(request: Request) -> HTTPResponse:
            return await self._answer(
                request, lambda call: self._call_status(request, call), callback=True
            )

        @voice.route("/agent_answered", methods=["POST"])
        async def agent_answered(request: Request) -> HTTPResponse:
            return await self._answer(
                request,
                lambda _: self.switchboard().agent_answered(*_handoff_of(request)),
            )

        @voice.route("/agent_decided", methods=["POST"])
        async def agent_decided(request: Request) -> HTTPResponse:
            return await self._answer(
                request,
                lambda call: self.switchboard().agent_decided(
                    *_handoff_of(request), call.form.get("Digits", "")
                ),
            )

        @voice.route("/agent_status", methods=["POST"])
        async def agent_status(request: Request) -> HTTPResponse:
            return await self._answer(
                request,
                lambda call: self.switchboard().agent_status(
                    *_handoff_of(request), call.form.get("CallStatus", "")
                ),
                callback=True,
            )

        @voice.route("/takeover", methods=["POST"])
        async def takeover(request: Request) -> HTTPResponse:
            return await take_over(self, request)

        return voice

    # -- request handling -----------------------------------------------------

    def _checked_call(self, request: Request) -> CallFacts | HTTPResponse:
        """The request's call, or the 403/400 answer for a request not from Twilio."""
        if not self.signature.is_valid(request):
            logger.warning("rejected a voice request with a missing or wrong signature")
            return response.text("invalid Twilio signature", status=403)
        try:
            return read_call(request)
        except BadRequest as error:
            return response.text(str(error), status=400)

    def _request_key(self, request: Request) -> str:
        """Twilio's idempotency token, or a digest of exactly what Twilio signed."""
        token = request.headers.get(IDEMPOTENCY_HEADER)
        if token:
            return "token:" + hashlib.sha256(token.encode()).hexdigest()[:48]
        signed = [self.signature.signed_url(request), sorted(signed_params(request).items())]
        return "digest:" + hashlib.sha256(json.dumps(signed).encode()).hexdigest()[:48]

    async def _turn(self, request: Request, produce: Produce) -> HTTPResponse:
        """Runs a turn once per Twilio request, within the turn budget."""
        call = self._checked_call(request)
        if isinstance(call, HTTPResponse):
            return call
        counters = Counters.from_query(request.args)
        conversation = self.conversation(request)
        key = self._request_key(request)
        try:
            claim = await self.replies().claim(key, call.sid)
        except Exception as error:  # the store (or opening it) failed: say so, never a 500
            logger.warning("call %s: reply store unavailable: %s", call_tag(call.sid), error)
            return _xml(await conversation.apologise(call, UNAVAILABLE, counters))
        if not claim.owner:
            logger.info("call %s: a repeated request, answered from the first", call_tag(call.sid))
            twiml = claim.twiml or await self._wait_for(key, self._budget_left(request))
            pending = self._pending_url(request, call, key, 1, counters)
            return _xml(twiml or render_wait(FILLER, pending, self.settings))
        task = asyncio.create_task(
            self._run_turn(request, conversation, key, call, counters, produce)
        )
        self._running[key] = task
        done, _ = await asyncio.wait({task}, timeout=self._budget_left(request))
        if done:
            return _xml(task.result())
        pending = self._pending_url(request, call, key, 1, counters)
        return _xml(render_wait(FILLER, pending, self.settings))

    def _budget_left(self, request: Request) -> float:
        """The turn budget counts from the request's arrival: Twilio's caller waits from then."""
        received = getattr(request.ctx, "received", None)
        spent = 0.0 if received is None else time.perf_counter() - received
        return max(0.0, self.settings.turn_budget_seconds - spent)

    async def _run_turn(
        self,
        request: Request,
        conversation: VoiceConversation,
        key: str,
        call: CallFacts,
        counters: Counters,
        produce: Produce,
    ) -> str:
        try:
            async with self.assistant(request).exclusive(call.sid):
                twiml = await produce(call, counters)
        except AssistantUnavailable as error:
            logger.warning("call %s: assistant unavailable: %s", call_tag(call.sid), error)
            twiml = await conversation.apologise(call, UNAVAILABLE, counters)
        except Exception:
            logger.exception("voice turn failed for call %s", call_tag(call.sid))
            twiml = await conversation.apologise(call, WENT_WRONG, counters)
        try:
            await self.replies().answer(key, twiml)
        except SQLAlchemyError:
            logger.warning("call %s: could not store the answer", call_tag(call.sid))
        finally:
            self._running.pop(key, None)
        return twiml

    async def _wait_for(self, key: str, timeout: float) -> str | None:
        task = self._running.get(key)
        if task is not None:
            done, _ = await asyncio.wait({task}, timeout=timeout)
            return task.result() if done else None
        try:
            return await self.replies().wait(key, timeout)
        except SQLAlchemyError:
            return None

    async def _pending(self, request: Request) -> HTTPResponse:
        """Speaks a slow turn's answer once it is ready, without running it again."""
        call = self._checked_call(request)
        if isinstance(call, HTTPResponse):
            return call
        counters = Counters.from_query(request.args)
        conversation = self.conversation(request)
        key = request.args.get("key", "")
        if not key:  # redirected here mid-call: say where we are
            try:
                async with self.assistant(request).exclusive(call.sid):
                    return _xml(await conversation.replay(call, counters))
            except AssistantUnavailable:
                return _xml(await conversation.apologise(call, UNAVAILABLE, counters))
        twiml = await self._wait_for(key, self.settings.turn_budget_seconds)
        if twiml is not None:
            return _xml(twiml)
        waits = Counters.from_query({"turn": request.args.get("waits", "0")}).turn
        if waits < MAX_WAITS:
            next_url = self._pending_url(request, call, key, waits + 1, counters)
            return _xml(render_wait(STILL_WORKING, next_url, self.settings))
        logger.warning("call %s: a turn outlasted every wait", call_tag(call.sid))
        return _xml(await conversation.apologise(call, TOO_LONG, counters))

    def _pending_url(
        self, request: Request, call: CallFacts, key: str, waits: int, counters: Counters
    ) -> str:
        """Where Twilio collects a slow turn of ``call``; it carries the turn's counters on."""
        query = {"key": key, "waits": waits, **counters.query()}
        return channel_url(
            self.signature.public_base(request), "pending", call_sid=call.sid, **query
        )

    async def _answer(
        self,
        request: Request,
        handler: Callable[[CallFacts], Awaitable[str | None]],
        *,
        callback: bool = False,
    ) -> HTTPResponse:
        """Runs ``handler`` for a checked request; a fault is never a 500.

        A request that wants TwiML hears a goodbye. A status ``callback`` (Twilio
        wants no TwiML) answers 503, so Twilio reports it again.
        """
        call = self._checked_call(request)
        if isinstance(call, HTTPResponse):
            return call
        try:
            twiml = await handler(call)
        except BadRequest as error:
            return response.text(str(error), status=400)
        except Exception as error:
            if not callback:
                logger.exception("agent call request failed for call %s", call_tag(call.sid))
                return _xml(render_goodbye(WENT_WRONG, self.settings))
            if isinstance(error, (AssistantUnavailable, SQLAlchemyError, StoreUnreachable)):
                logger.warning("call %s: status not stored: %s", call_tag(call.sid), error)
            else:
                logger.exception("status callback failed for call %s", call_tag(call.sid))
            return response.text("status callback not stored", status=503)
        return response.empty() if twiml is None else _xml(twiml)

    async def _call_status(self, request: Request, call: CallFacts) -> None:
        if call.form.get("CallStatus") not in ENDED_STATUSES:
            return
        assistant = self.assistant(request)
        async with assistant.exclusive(call.sid):
            await assistant.end_call(call.sid)
        await self.switchboard().caller_left(call.sid)
        logger.info("call %s ended (%s)", call_tag(call.sid), call.form.get("CallStatus"))


def _handoff_of(request: Request) -> tuple[str, int]:
    """The hand-off and attempt an agent-call request is about (the switchboard's URL)."""
    handoff_id = request.args.get("handoff", "")
    attempt = request.args.get("attempt", "")
    if not re.fullmatch(r"[0-9a-f]{16}", handoff_id) or not attempt.isdigit():
        raise BadRequest("agent request without a hand-off")
    return handoff_id, int(attempt)


def _xml(twiml: str) -> HTTPResponse:
    return response.text(twiml, content_type="text/xml")
