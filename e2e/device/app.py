"""The offline virtual device: the HTTP API ``bst test`` calls, over the call engine.

What bespoken-tools 2.6.7 sends (virtual-device-sdk 1.9.3 ``VirtualDevice``,
skill-testing-ml 1.4.8 ``VirtualDeviceInvoker`` and ``ResultsPublisher``):

- ``POST /batch_process?user_id=<token>&phone_number=...&async_mode=true&...``
  with ``{"messages": [{"text", "phrases", "settings", ...}]}``; every query
  value arrives URL-encoded twice, and ``virtualDeviceConfig`` keys come along
  as extra parameters. It answers ``{"conversation_id": ...}`` at once (bst's
  default async mode; its sync mode is refused).
- ``GET /conversation?uuid=...``: ``{"status": "IN_PROGRESS" | "COMPLETED" |
  "ERROR", "results": [{"message", "transcript", ...}]}``, polled (2 s socket
  timeout) until the result of the step it is on is there, then it sleeps
  ``asyncE2EWaitInterval`` (5 s) before polling again. The CLI takes one step
  per poll that has it, so the device knows which step is wanted and holds a
  poll up to ``LONG_POLL_SECONDS`` for it: a fast call never waits 5 s.
- ``POST /conversation_stop`` ``{"uuid": ...}`` (``stopTestOnFailure``).
- ``POST /reporting/testResults``: the run's results, which the CLI posts to
  ``BESPOKEN_API_BASE_URL`` after every run (and exits 1 if it cannot).

One call runs at a time: emulator switches are global to the stack.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from e2e.device.engine import CallEngine, Step
from emulators.common import wait_until

logger = logging.getLogger("e2e.device")

# Query parameters the SDK maps from its own configuration (VirtualDeviceParameterMapper
# and VirtualDeviceInvoker.before); everything else is a virtualDeviceConfig setting.
DEVICE_PARAMETERS = frozenset(
    {
        "user_id", "phone_number", "async_mode", "language_code", "voice_id", "platform",
        "client", "debug", "stt", "screen_mode", "skip_stt", "project_id", "conversation_id",
        "location_lat", "location_long", "replyTimeout",
    }
)  # fmt: skip
MAX_CONVERSATIONS = 200
LONG_POLL_SECONDS = 1.5  # under the SDK's 2 s socket timeout (VDSDK_TIMEOUT)


@dataclass(frozen=True)
class CallParameters:
    """Who calls whom, and the call-wide settings (``virtualDeviceConfig``)."""

    token: str
    phone_number: str
    settings: dict[str, Any]


CallFactory = Callable[[CallParameters], CallEngine]


@dataclass
class Conversation:
    uuid: str
    results: list[dict[str, Any]] = field(default_factory=list)
    status: str = "IN_PROGRESS"
    error: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    wanted: int = 0  # the step the CLI is waiting for (it takes one per poll that has it)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def poll(self, long_poll: float = LONG_POLL_SECONDS) -> dict[str, Any]:
        """The conversation once the wanted step's result is in (or the call is over)."""
        await wait_until(
            lambda: self.status != "IN_PROGRESS" or len(self.results) > self.wanted,
            self.changed,
            long_poll,
        )
        if len(self.results) > self.wanted:
            self.wanted += 1
        return self.as_json()

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "conversation_id": self.uuid,
            "status": self.status,
            "results": list(self.results),
        }
        if self.error:
            body.update(error=self.error, error_category="system")
        return body


class BadRequest(ValueError):
    """A request the device refuses (HTTP 400)."""


def call_parameters(query: dict[str, Any]) -> CallParameters:
    token = query.get("user_id")
    if not token or not isinstance(token, str):
        raise BadRequest("user_id (the virtualDeviceToken) is required")
    settings = {name: value for name, value in query.items() if name not in DEVICE_PARAMETERS}
    return CallParameters(token, str(query.get("phone_number") or ""), settings)


def steps_from(body: Any) -> list[Step]:
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not messages:
        raise BadRequest('the body must be {"messages": [...]} with at least one message')
    steps = []
    for message in messages:
        if not isinstance(message, dict):
            raise BadRequest("every message must be an object")
        if message.get("audio"):
            raise BadRequest("audio messages need Bespoken's device, not the offline one")
        settings = message.get("settings") or {}
        if not isinstance(settings, dict):
            raise BadRequest("a message's settings must be an object")
        steps.append(Step(str(message.get("text") or ""), settings))
    return steps


class Device:
    """Conversations and reports of one device process."""

    def __init__(self, factory: CallFactory, reports_dir: Path | None = None) -> None:
        self.factory = factory
        self.reports_dir = reports_dir
        self.conversations: OrderedDict[str, Conversation] = OrderedDict()
        self.tasks: set[asyncio.Task] = set()
        self._one_call = asyncio.Lock()  # binds to the loop of its first use (3.10)

    def new_conversation(self) -> Conversation:
        conversation = Conversation(uuid=str(uuid.uuid4()))
        self.conversations[conversation.uuid] = conversation
        while len(self.conversations) > MAX_CONVERSATIONS:
            self.conversations.popitem(last=False)
        return conversation

    async def run_call(
        self, conversation: Conversation, steps: list[Step], parameters: CallParameters
    ) -> None:
        """Plays the call in a worker thread (the engine's HTTP client blocks)."""
        loop = asyncio.get_running_loop()
        async with self._one_call:

            def collect(result: Any) -> None:  # runs in the worker thread
                if result.error:
                    conversation.error = result.error
                else:
                    conversation.results.append(result.as_json())
                loop.call_soon_threadsafe(conversation.changed.set)

            try:
                engine = self.factory(parameters)
                await asyncio.to_thread(
                    engine.run, steps, parameters.settings, collect, conversation.stop.is_set
                )
            except Exception as error:  # the device must answer, whatever broke
                logger.exception("call failed")
                conversation.error = f"the offline device failed: {error}"
        conversation.status = "ERROR" if conversation.error else "COMPLETED"
        conversation.changed.set()

    def store_report(self, payload: Any) -> None:
        """The run's results as bst posts them, kept for the developer (and the audio report)."""
        if self.reports_dir is not None:
            self.reports_dir.mkdir(parents=True, exist_ok=True)
            (self.reports_dir / "bst-test-results.json").write_text(json.dumps(payload, indent=2))


def create_app(
    factory: CallFactory, reports_dir: Path | None = None, name: str = "offline_virtual_device"
) -> Sanic:
    """The device's Sanic app; ``factory`` makes a call engine for each call."""
    app = Sanic(name)
    device = Device(factory, reports_dir)
    app.ctx.device = device

    def bad_request(error: Exception) -> HTTPResponse:
        return response.json({"error": str(error), "error_category": "user"}, status=400)

    @app.get("/")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok", "conversations": len(device.conversations)})

    @app.post("/batch_process")
    async def batch_process(request: Request) -> HTTPResponse:
        query: dict[str, Any] = {}
        for name, values in request.args.items():  # decoded the second time the SDK encoded them
            decoded = [unquote(value) for value in values]
            query[name] = decoded if len(decoded) > 1 else decoded[0]
        try:
            if str(query.get("async_mode", "")).lower() != "true":
                raise BadRequest("the offline device plays bst's async mode (its default) only")
            parameters = call_parameters(query)
            steps = steps_from(request.json)
        except (BadRequest, ValueError) as error:
            return bad_request(error)
        conversation = device.new_conversation()
        task = asyncio.create_task(device.run_call(conversation, steps, parameters))
        device.tasks.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(device.tasks.discard)
        return response.json({"conversation_id": conversation.uuid})

    @app.get("/conversation")
    async def conversation_results(request: Request) -> HTTPResponse:
        conversation = device.conversations.get(unquote(request.args.get("uuid", "")))
        if conversation is None:
            return response.json({"error": "no such conversation"}, status=404)
        return response.json(await conversation.poll())

    @app.post("/conversation_stop")
    async def conversation_stop(request: Request) -> HTTPResponse:
        body = request.json if isinstance(request.json, dict) else {}
        conversation = device.conversations.get(str(body.get("uuid", "")))
        if conversation is None:
            return response.json({"error": "no such conversation"}, status=404)
        conversation.stop.set()
        return response.json({})

    @app.post("/reporting/testResults")
    async def test_results(request: Request) -> HTTPResponse:
        try:
            payload = request.json
        except Exception:  # Sanic raises its own error class for bad JSON
            return bad_request(ValueError("the body must be JSON"))
        await asyncio.to_thread(device.store_report, payload)
        return response.json({"stored": True})

    return app
