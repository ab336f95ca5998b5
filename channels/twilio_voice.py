"""Twilio Voice input channel: one Rasa conversation per phone call.

Routes under ``/webhooks/twilio_voice``:

- ``POST /webhook``: the number's voice URL. A new call starts a Rasa session
  with the call's facts as metadata, then the greeting response is executed:
  no user message is invented.
- ``POST /gather``: the caller's answer (speech, a key, or nothing).
- ``POST /pending``: collects a turn that outlasted the turn budget.
- ``POST /status``: the call's status callback; a finished call leaves no form
  waiting.
- ``POST /agent``, ``/agent_answer``, ``/agent_status``: the agent's leg of a
  hand-off (channels.agent_leg); ``POST /handoff_failed``: the caller is back
  from the hold because no agent took the call.
- ``GET /``: health for load balancers.

Every POST must carry a valid ``X-Twilio-Signature``; any fault inside a turn
becomes spoken TwiML (an apology and a way forward), never an HTTP 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import ActiveLoop, BotUttered, ConversationPaused, SlotSet
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.agent_leg import AgentLeg
from channels.call import BadRequest, Call, read_call
from channels.hints import hints_for
from channels.menus import HUMAN_PAYLOAD, payload_for_keys
from channels.signature import SignatureCheck
from channels.twiml import Listen, render_goodbye, render_turn, render_wait
from settings import HandoffSettings, VoiceSettings, load_environment

logger = logging.getLogger(__name__)

ENDED_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
APOLOGY = "Sorry, something went wrong on my side. Could you say that again?"
NOT_HEARD = "Sorry, I didn't catch that."
STILL_THERE = "Are you still there?"
NO_SUCH_KEY = "Sorry, that key doesn't do anything here."
SILENT_GOODBYE = (
    "I haven't heard anything, so I'll end the call now. Please call back any time. Goodbye."
)
FILLER = "One moment while I check."
# Spoken when a call starts, after action_session_start stored the call's facts.
GREETING = "utter_greet"
MAX_WAITS = 3


class VoiceOutput(CollectingOutputChannel):
    """Collects a turn's bot messages; the channel speaks them all at once."""

    @classmethod
    def name(cls) -> str:
        return "twilio_voice"


@dataclass
class PendingTurn:
    """A turn still running after the caller was asked to hold on."""

    task: asyncio.Task
    output: VoiceOutput
    waits: int = 0


class TwilioVoiceChannel(InputChannel):
    """Rasa input channel for Twilio Voice (``channels.twilio_voice.TwilioVoiceChannel``)."""

    @classmethod
    def name(cls) -> str:
        return "twilio_voice"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        load_environment()
        return cls(VoiceSettings.from_env(overrides=credentials or {}), HandoffSettings.from_env())

    def __init__(self, settings: VoiceSettings, handoff: HandoffSettings) -> None:
        self.settings = settings
        self.handoff = handoff
        self.agent_leg = AgentLeg(settings, handoff)
        self.signature = SignatureCheck(settings)
        self.pending: dict[str, PendingTurn] = {}
        if not settings.validate_signature:
            logger.warning("TWILIO_VALIDATE_SIGNATURE is off: anyone can post to the voice webhook")

    # -- routes ---------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        voice = Blueprint("twilio_voice_webhook", __name__)

        @voice.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @voice.route("/webhook", methods=["POST"])
        async def call_started(request: Request) -> HTTPResponse:
            return await self._answer(request, self._start_call)

        @voice.route("/gather", methods=["POST"])
        async def caller_answered(request: Request) -> HTTPResponse:
            return await self._answer(
                request, lambda r, call: self._caller_turn(r, call, on_new_message)
            )

        @voice.route("/pending", methods=["POST"])
        async def pending_turn(request: Request) -> HTTPResponse:
            return await self._answer(request, self._collect_pending)

        @voice.route("/agent", methods=["POST"])
        async def agent_answered(request: Request) -> HTTPResponse:
            return await self._answer(request, lambda r, call: self.agent_leg.whisper(r, call.sid))

        @voice.route("/agent_answer", methods=["POST"])
        async def agent_decided(request: Request) -> HTTPResponse:
            return await self._answer(
                request, lambda r, call: self.agent_leg.answered(r, call.form)
            )

        @voice.route("/agent_status", methods=["POST"])
        async def agent_status(request: Request) -> HTTPResponse:
            return await self._callback(
                request, lambda r, call: self.agent_leg.status(r, call.form)
            )

        @voice.route("/handoff_failed", methods=["POST"])
        async def back_from_hold(request: Request) -> HTTPResponse:
            return await self._answer(request, self._back_from_hold)

        @voice.route("/status", methods=["POST"])
        async def call_status(request: Request) -> HTTPResponse:
            return await self._callback(request, self._call_status)

        return voice

    def _checked_call(self, request: Request) -> Call | HTTPResponse:
        """The request's call, or the 403/400 answer for a request not from Twilio."""
        if not self.signature.is_valid(request):
            logger.warning("rejected a voice request with a missing or wrong signature")
            return response.text("invalid Twilio signature", status=403)
        try:
            return read_call(request)
        except BadRequest as error:
            return response.text(str(error), status=400)

    async def _answer(
        self,
        request: Request,
        handler: Callable[[Request, Call], Awaitable[str]],
    ) -> HTTPResponse:
        """Runs ``handler`` for a checked request; faults become speech, never a 500."""
        call = self._checked_call(request)
        if isinstance(call, HTTPResponse):
            return call
        try:
            twiml = await handler(request, call)
        except BadRequest as error:
            return response.text(str(error), status=400)
        except Exception:
            logger.exception("voice turn failed for call %s", call.sid)
            twiml = render_turn([{"text": APOLOGY}], self.settings, self._listen(request))
        return response.text(twiml, content_type="text/xml")

    async def _callback(
        self,
        request: Request,
        handler: Callable[[Request, Call], Awaitable[None]],
    ) -> HTTPResponse:
        """Runs ``handler`` for a checked status callback, which Twilio wants no TwiML for."""
        call = self._checked_call(request)
        if isinstance(call, HTTPResponse):
            return call
        try:
            await handler(request, call)
        except BadRequest as error:
            return response.text(str(error), status=400)
        return response.empty()

    # -- turns ----------------------------------------------------------------

    async def _start_call(self, request: Request, call: Call) -> str:
        agent = request.app.ctx.agent
        output = VoiceOutput()
        async with agent.lock_store.lock(call.sid):
            tracker = await agent.processor.fetch_tracker_and_update_session(
                call.sid, output, call.metadata
            )
            await agent.processor.save_tracker(tracker)
            if self._last_turn(tracker):  # Twilio asked twice: say it again
                return await self._render(request, call, self._last_turn(tracker), tracker=tracker)
            await agent.execute_action(call.sid, GREETING, output, None, None)
            # Like after any bot turn, the assistant now listens.
            tracker = await agent.execute_action(call.sid, "action_listen", output, None, None)
        return await self._render(request, call, output.messages, tracker=tracker)

    async def _caller_turn(
        self,
        request: Request,
        call: Call,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> str:
        silences = _int_arg(request, "silences")
        speech = call.form.get("SpeechResult", "").strip()
        digits = call.form.get("Digits", "").strip()
        if digits:
            tracker = await self._tracker(request, call)
            text = payload_for_keys(digits, self._last_buttons(tracker))
            if text is None:
                return await self._reprompt(request, call, NO_SUCH_KEY, silences=0)
        elif speech:
            if _confidence(call) < self.settings.confidence_threshold:
                return await self._reprompt(request, call, NOT_HEARD, silences=0)
            text = speech
        else:
            silences += 1
            transfer_after = self.handoff.after_silences
            if transfer_after and self.handoff.agent_numbers and silences >= transfer_after:
                text = HUMAN_PAYLOAD
            elif silences >= self.settings.max_silences:
                return render_goodbye(SILENT_GOODBYE, self.settings)
            else:
                return await self._reprompt(request, call, STILL_THERE, silences=silences)

        output = VoiceOutput()
        message = UserMessage(
            text,
            output,
            call.sid,
            input_channel=self.name(),
            metadata=call.metadata,
        )
        task = asyncio.create_task(on_new_message(message))
        done, _ = await asyncio.wait({task}, timeout=self.settings.turn_budget_seconds)
        if not done:
            self.pending[call.sid] = PendingTurn(task, output)
            return render_wait(FILLER, self._url(request, "pending"), self.settings)
        task.result()
        return await self._render(request, call, output.messages)

    async def _collect_pending(self, request: Request, call: Call) -> str:
        """Speaks a slow turn's answer once it is ready, without running it again."""
        turn = self.pending.get(call.sid)
        if turn is None:
            # Another instance runs the turn: its lock on the call is released
            # once the answer is stored, and that answer is the last turn.
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(call.sid):
                tracker = await self._tracker(request, call)
            return await self._render(request, call, self._last_turn(tracker), tracker=tracker)
        done, _ = await asyncio.wait({turn.task}, timeout=self.settings.turn_budget_seconds)
        if not done:
            turn.waits += 1
            if turn.waits < MAX_WAITS:
                return render_wait(
                    "Still working on it.", self._url(request, "pending"), self.settings
                )
            turn.task.cancel()
        self.pending.pop(call.sid, None)
        if not done or turn.task.exception() is not None:
            return render_turn([{"text": APOLOGY}], self.settings, self._listen(request))
        return await self._render(request, call, turn.output.messages)

    async def _back_from_hold(self, request: Request, call: Call) -> str:
        """No agent took the call: the conversation goes on where it was."""
        agent = request.app.ctx.agent
        output = VoiceOutput()
        async with agent.lock_store.lock(call.sid):
            tracker = await agent.processor.get_tracker(call.sid)
            await agent.trigger_intent("handoff_failed", [], output, tracker)
        return await self._render(request, call, output.messages)

    async def _reprompt(self, request: Request, call: Call, lead: str, silences: int) -> str:
        """``lead``, then the question the assistant is still waiting on."""
        tracker = await self._tracker(request, call)
        question = self._last_turn(tracker)[-1:]
        messages = [{"text": lead}, *question]
        return await self._render(request, call, messages, silences=silences, tracker=tracker)

    async def _render(
        self,
        request: Request,
        call: Call,
        messages: list[dict[str, Any]],
        silences: int = 0,
        tracker: Any = None,
    ) -> str:
        if tracker is None:
            tracker = await self._tracker(request, call)
        requested = tracker.get_slot("requested_slot") if tracker else None
        buttons = (
            next((m.get("buttons") for m in reversed(messages) if m.get("buttons")), None) or []
        )
        listen = self._listen(request, silences=silences, hints=hints_for(requested, buttons))
        return render_turn(messages, self.settings, listen, self.handoff.hold_music_url)

    async def _call_status(self, request: Request, call: Call) -> None:
        if call.form.get("CallStatus") in ENDED_STATUSES:
            await self._end_call(request, call)

    async def _end_call(self, request: Request, call: Call) -> None:
        """Closes the conversation of a finished call: no form is left waiting."""
        turn = self.pending.pop(call.sid, None)
        if turn is not None:
            turn.task.cancel()
        agent = request.app.ctx.agent
        async with agent.lock_store.lock(call.sid):
            tracker = await agent.tracker_store.retrieve(call.sid)
            if tracker is None:
                return
            if tracker.active_loop_name:
                tracker.update(ActiveLoop(None))
                tracker.update(SlotSet("requested_slot", None))
            tracker.update(ConversationPaused())
            await agent.tracker_store.save(tracker)
        logger.info("call %s ended (%s)", call.sid, call.form.get("CallStatus"))

    # -- helpers --------------------------------------------------------------

    @staticmethod
    async def _tracker(request: Request, call: Call) -> Any:
        return await request.app.ctx.agent.tracker_store.retrieve(call.sid)

    @staticmethod
    def _last_turn(tracker: Any) -> list[dict[str, Any]]:
        """The bot messages after the caller last spoke, as output messages."""
        if tracker is None:
            return []
        turn: list[dict[str, Any]] = []
        for event in reversed(tracker.events):
            if event.type_name == "user":
                break
            if isinstance(event, BotUttered):
                data = event.data or {}
                turn.append(
                    {
                        "text": event.text,
                        "buttons": data.get("buttons"),
                        "custom": data.get("custom"),
                    }
                )
        turn.reverse()
        return [
            m for m in turn if not (isinstance(m["custom"], dict) and m["custom"].get("hangup"))
        ]

    def _last_buttons(self, tracker: Any) -> list[dict[str, Any]]:
        for message in reversed(self._last_turn(tracker)):
            if message.get("buttons"):
                return list(message["buttons"])
        return []

    def _url(self, request: Request, route: str, **query: Any) -> str:
        """Absolute URL of one of this channel's routes, as Twilio must call it."""
        base = self.signature.public_base(request)
        path = f"/webhooks/{self.name()}/{route}"
        return f"{base}{path}?{urlencode(query)}" if query else f"{base}{path}"

    def _listen(self, request: Request, silences: int = 0, hints: str = "") -> Listen:
        query = {"silences": silences} if silences else {}
        return Listen(action_url=self._url(request, "gather", **query), hints=hints)


def _int_arg(request: Request, name: str) -> int:
    try:
        return max(0, int(request.args.get(name, "0")))
    except ValueError:
        return 0


def _confidence(call: Call) -> float:
    """Twilio's recognition confidence; a missing or odd value counts as sure."""
    try:
        return float(call.form.get("Confidence") or 1.0)
    except ValueError:
        return 1.0
