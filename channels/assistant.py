"""The voice channel's one door to Rasa.

Every use of Rasa's Agent, processor, tracker store and lock store by the
channel is here, behind verbs in the channel's terms (``channels.turn``). A
Rasa upgrade touches this file; the rest of the channel never imports Rasa.

A turn is run on one tracker in memory and saved once. A turn that goes wrong
inside Rasa (an action loop stopped by Rasa's circuit breaker, or no answer at
all) is not saved: the conversation stays where it was before the caller
spoke, and the caller is asked again. The tracker store is used as it is, not
through Rasa's fail-safe wrapper, which would answer from an empty memory
while the database is down.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import ujson
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.lock_store import LockError
from rasa.core.policies.policy import PolicyPrediction
from rasa.exceptions import ActionLimitReached
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.exc import SQLAlchemyError

import dialogue
from channels.turn import AssistantUnavailable, Turn
from contract import ACTION_FALLBACK, PAYLOAD_HANGUP, RESPONSE_GREETING

logger = logging.getLogger(__name__)
CHANNEL = "twilio_voice"
LOCK_POLL_SECONDS = 0.05
HEALTH_TIMEOUT_SECONDS = 2.0
IDLE_CONNECTION_SECONDS = 2.0


def _store_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (SQLAlchemyError, redis.RedisError, LockError, OSError)


def action_result_validator() -> Callable[[dict[str, Any]], None]:
    """Rasa's action-response schema, checked in a tenth of the time Rasa takes.

    The schema says each event is ``oneOf`` 23 kinds, one per ``event`` name, so
    jsonschema tries every kind on every event and builds an error for each miss.
    Each event here is checked against its own kind only: the kinds' names are
    distinct constants, so an event matches exactly one kind when it matches the
    kind its name picks. Raises jsonschema's ``ValidationError`` as Rasa would.
    """
    from jsonschema.validators import validator_for

    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    event = schema["properties"]["events"]["items"]
    kinds = {kind["properties"]["event"]["const"]: kind for kind in event.pop("oneOf")}
    event["properties"]["event"] = {"type": "string", "enum": sorted(kinds)}
    response = validator_for(schema)(schema)
    by_kind = {name: validator_for(kind)(kind) for name, kind in kinds.items()}

    def validate(result: dict[str, Any]) -> None:
        response.validate(result)
        for item in result.get("events") or []:
            by_kind[item["event"]].validate(item)

    return validate


def _validate_action_results_fast() -> None:
    """Rasa re-checks every remote action result against the action-response schema;
    on a loaded server that was half its CPU (jsonschema building the schema each
    time), and with the schema built once still a tenth."""
    from jsonschema import ValidationError

    validate = action_result_validator()

    def checked(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validate(result)
        except ValidationError as error:
            error.message += ". Failed to validate Action server response from API."
            raise
        return True

    RemoteAction._validate_action_result = checked  # type: ignore[method-assign]


_validate_action_results_fast()
# Dialogue states kept per conversation, and the model's graph run in a loop.
dialogue.install()


_NLU_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")


class _KeptSession:
    """``async with`` over a shared session that leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_: object) -> None:
        return None


def action_request_json(body: Any) -> str:
    """The action server's request body as JSON, by ujson: a third of ``json``'s time on
    a call's tracker, which every action call and form validation sends whole."""
    return ujson.dumps(body, escape_forward_slashes=False)


class KeepAliveEndpoint(EndpointConfig):
    """The action server's endpoint over one HTTP session, so its connections are reused.

    Rasa's ``EndpointConfig.request`` opens a session, and with it a TCP connection,
    for every action call and every form validation, and closes it after. An idle
    connection is dropped before the action server's keep-alive (Sanic: 5 s) would
    close it, so a request never goes out on a connection the server is closing.
    """

    _shared: aiohttp.ClientSession | None = None

    @classmethod
    def of(cls, endpoint: EndpointConfig) -> KeepAliveEndpoint:
        kept = cls.__new__(cls)
        kept.__dict__.update(endpoint.__dict__)
        return kept

    def session(self) -> Any:
        if self._shared is None or self._shared.closed:
            auth = aiohttp.BasicAuth(**self.basic_auth) if self.basic_auth else None
            self._shared = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS),
                json_serialize=action_request_json,
            )
        return _KeptSession(self._shared)


class RasaAssistant:
    """The assistant, as the voice channel sees it."""

    def __init__(self, agent: Any, lock_lifetime_seconds: float, duckling_url: str = "") -> None:
        self._agent = agent
        self._lifetime = lock_lifetime_seconds
        self._duckling_url = duckling_url.rstrip("/")
        inner = getattr(agent.tracker_store, "_tracker_store", None)
        if inner is not None:  # unwrap Rasa's FailSafeTrackerStore
            agent.tracker_store = inner
            if agent.processor is not None:
                agent.processor.tracker_store = inner
        endpoint = getattr(agent, "action_endpoint", None)
        if endpoint is not None and not isinstance(endpoint, KeepAliveEndpoint):
            agent.action_endpoint = KeepAliveEndpoint.of(endpoint)
            if agent.processor is not None:
                agent.processor.action_endpoint = agent.action_endpoint

    # -- locking and storage --------------------------------------------------

    @asynccontextmanager
    async def exclusive(self, call_sid: str) -> AsyncIterator[None]:
        try:
            lock = self._agent.lock_store.lock(
                call_sid, lock_lifetime=self._lifetime, wait_time_in_seconds=LOCK_POLL_SECONDS
            )
            await lock.__aenter__()
        except _store_errors() as error:
            raise AssistantUnavailable(f"call lock unavailable: {type(error).__name__}") from error
        try:
            yield
        finally:
            try:
                await lock.__aexit__(None, None, None)
            except _store_errors():
                logger.warning("could not release the lock of call %s", call_sid)

    @property
    def _processor(self) -> Any:
        processor = self._agent.processor
        if processor is None:
            raise AssistantUnavailable("no model is loaded")
        return processor

    async def _fetch(self, call_sid: str, output: Any, metadata: dict[str, str] | None) -> Any:
        try:
            return await self._processor.fetch_tracker_and_update_session(
                call_sid, output, metadata
            )
        except _store_errors() as error:
            raise AssistantUnavailable(f"tracker store: {type(error).__name__}") from error

    async def _retrieve(self, call_sid: str) -> Any:
        try:
            return await self._agent.tracker_store.retrieve(call_sid)
        except _store_errors() as error:
            raise AssistantUnavailable(f"tracker store: {type(error).__name__}") from error

    async def _save(self, tracker: Any) -> None:
        try:
            await self._processor.save_tracker(tracker)
        except _store_errors() as error:
            raise AssistantUnavailable(f"tracker store: {type(error).__name__}") from error

    # -- verbs ----------------------------------------------------------------

    async def start_call(self, call_sid: str, metadata: dict[str, str]) -> Turn:
        """Starts the call's conversation and greets; a second start repeats the greeting."""
        output = CollectingOutputChannel()
        tracker = await self._fetch(call_sid, output, metadata)
        previous = _last_turn(tracker)
        if previous.messages:
            return previous
        start = len(tracker.events)
        for name in (RESPONSE_GREETING, ACTION_LISTEN_NAME):
            await self._run_action(name, tracker, output)
        await self._save(tracker)
        return _turn(tracker, start, output.messages)

    async def hear(self, call_sid: str, words: str, metadata: dict[str, str]) -> Turn:
        # Rasa reads "/intent{...}" as a command: speech never is one.
        return await self._handle(call_sid, words.lstrip("/ \t"), metadata)

    async def command(self, call_sid: str, payload: str, metadata: dict[str, str]) -> Turn:
        return await self._handle(call_sid, payload, metadata)

    async def last_turn(self, call_sid: str) -> Turn:
        return _last_turn(await self._retrieve(call_sid))

    async def end_call(self, call_sid: str) -> None:
        """Closes a finished call's conversation: no form is left waiting."""
        tracker = await self._retrieve(call_sid)
        if tracker is None:
            return
        if tracker.active_loop_name:
            tracker.update(ActiveLoop(None))
            tracker.update(SlotSet(REQUESTED_SLOT, None))
        tracker.update(ConversationPaused())
        await self._save(tracker)

    async def health(self) -> dict[str, str]:
        checks = {
            "tracker store": self._check_tracker_store(),
            "lock store": self._check_lock_store(),
            "action server": self._check_url(self._action_health_url()),
        }
        if self._duckling_url:
            checks["duckling"] = self._check_url(f"{self._duckling_url}/")
        results = await asyncio.gather(*checks.values())
        return dict(zip(checks, results, strict=True))

    # -- internals ------------------------------------------------------------

    async def _handle(self, call_sid: str, text: str, metadata: dict[str, str]) -> Turn:
        processor = self._processor
        output = CollectingOutputChannel()
        message = UserMessage(text, output, call_sid, input_channel=CHANNEL, metadata=metadata)
        tracker = await self._fetch(call_sid, output, metadata)
        start = len(tracker.events)
        message.parse_data = await self._understand(message, tracker)
        await processor._handle_message_with_tracker(message, tracker)
        tracker = await processor.run_action_extract_slots(output, tracker)
        await self._predict_and_act(tracker, output)
        turn = _turn(tracker, start, output.messages)
        if turn.failed:
            logger.warning(
                "call %s: the assistant's turn failed (actions %s); it was not kept",
                call_sid,
                ", ".join(turn.actions) or "none",
            )
            return turn
        await self._save(tracker)
        return turn

    async def _understand(self, message: UserMessage, tracker: Any) -> dict[str, Any] | None:
        """Rasa's NLU of the message, run in the assistant's NLU thread.

        Rasa runs it in the event loop, which then waits for Duckling's answer
        over HTTP; in a thread, other calls' turns go on meanwhile. One thread,
        so parses never overlap. None (Rasa parses as usual) with an HTTP interpreter.
        """
        processor = self._processor
        if processor.http_interpreter is not None:
            return None
        loop = asyncio.get_running_loop()
        parse_data = await loop.run_in_executor(
            _NLU_THREAD, processor._parse_message_with_graph, message, tracker
        )
        processor._update_full_retrieval_intent(parse_data)
        _warn_unseen(processor.domain, parse_data)
        return parse_data

    async def _predict_and_act(self, tracker: Any, output: Any) -> None:
        """Rasa's prediction loop, except that a reverted utterance ends the turn.

        After "say that again" or "not understood" the conversation is back
        where it was before the caller spoke, so the assistant listens; Rasa
        would predict again from a state no rule covers.
        """
        processor = self._processor
        go_on = True
        while go_on and processor._should_handle_message(tracker):
            try:
                action, prediction = processor.predict_next_with_tracker_if_should(tracker)
            except ActionLimitReached:
                logger.warning("Circuit breaker tripped for call %s", tracker.sender_id)
                return
            go_on = await processor._run_action(action, tracker, output, processor.nlg, prediction)
            if go_on and isinstance(tracker.events[-1], UserUtteranceReverted):
                await self._run_action(ACTION_LISTEN_NAME, tracker, output)
                return

    async def _run_action(self, name: str, tracker: Any, output: Any) -> None:
        processor = self._processor
        action = processor._get_action(name)
        prediction = PolicyPrediction.for_action_name(processor.domain, name)
        await processor._run_action(action, tracker, output, processor.nlg, prediction)

    def _action_health_url(self) -> str:
        endpoint = getattr(self._agent, "action_endpoint", None)
        url = getattr(endpoint, "url", "") or ""
        return url.rsplit("/webhook", 1)[0] + "/health" if url else ""

    async def _check_url(self, url: str) -> str:
        if not url:
            return "not configured"
        try:
            timeout = aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_SECONDS)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(url) as reply:
                    return "ok" if reply.status < 400 else f"HTTP {reply.status} from {url}"
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            return f"unreachable at {url} ({type(error).__name__})"

    async def _check_tracker_store(self) -> str:
        engine = getattr(self._agent.tracker_store, "engine", None)
        if engine is None:
            return "ok"

        def probe() -> None:
            from sqlalchemy import text

            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        try:
            await asyncio.wait_for(asyncio.to_thread(probe), HEALTH_TIMEOUT_SECONDS)
            return "ok"
        except (asyncio.TimeoutError, *_store_errors()) as error:
            return f"unreachable ({type(error).__name__})"

    async def _check_lock_store(self) -> str:
        store = self._agent.lock_store
        ping = getattr(store, "ping", None)  # the configured store's; Rasa's have none
        probe = ping() if ping is not None else asyncio.to_thread(store.get_lock, "health-probe")
        try:
            await asyncio.wait_for(probe, HEALTH_TIMEOUT_SECONDS)
            return "ok"
        except (asyncio.TimeoutError, *_store_errors()) as error:
            return f"unreachable ({type(error).__name__})"


def _warn_unseen(domain: Any, parse_data: dict[str, Any]) -> None:
    """Rasa's warning for an intent or entity the domain lacks (a model trained on other
    data), without its test for an empty domain, which builds two domains per message."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent and intent not in domain.intents:
        logger.warning("NLU named the intent %r, which the domain does not list", intent)
    for entity in {e.get("entity") for e in parse_data.get("entities") or []} - {None}:
        if entity not in domain.entities:
            logger.warning("NLU named the entity %r, which the domain does not list", entity)


def _message(event: BotUttered) -> dict[str, Any]:
    data = event.data or {}
    return {"text": event.text, "buttons": data.get("buttons"), "custom": data.get("custom")}


def _turn(tracker: Any, start: int, messages: list[dict[str, Any]]) -> Turn:
    """The Turn of the events from ``start`` on; failed if Rasa did not end by listening."""
    new = list(tracker.events)[start:]
    user = next((e for e in reversed(new) if isinstance(e, UserUttered)), None)
    actions = tuple(
        e.action_name
        for e in new
        if isinstance(e, ActionExecuted) and e.action_name and e.action_name != ACTION_LISTEN_NAME
    )
    listening = tracker.latest_action_name == ACTION_LISTEN_NAME
    intent = (user.intent or {}) if user is not None else {}
    return Turn(
        messages=[
            {"text": m.get("text"), "buttons": m.get("buttons"), "custom": m.get("custom")}
            for m in messages
        ],
        intent=intent.get("name"),
        confidence=intent.get("confidence"),
        understood=ACTION_FALLBACK not in actions,
        requested_slot=tracker.get_slot(REQUESTED_SLOT),
        actions=actions,
        failed=not listening or not messages,
    )


def _last_turn(tracker: Any) -> Turn:
    """What the assistant said after the caller last spoke (hang-ups left out)."""
    if tracker is None:
        return Turn()
    said: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            said.append(_message(event))
    said.reverse()
    kept = [
        m for m in said if not (isinstance(m["custom"], dict) and m["custom"].get(PAYLOAD_HANGUP))
    ]
    return Turn(messages=kept, requested_slot=tracker.get_slot(REQUESTED_SLOT))
