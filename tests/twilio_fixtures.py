"""Pytest fixtures that serve the Twilio REST API emulator from the test process.

``twilio_emulator`` (session) is one emulator (tests.in_process) on a free loopback port
with fast agent phones (they ring for 0.05 s; TwiML waits are cut to 1 %);
``fresh_twilio_emulator`` is the same process reset before and after a test.
``fake_channel`` plays "our channel": it serves the agent's whisper TwiML and
records every request the emulator sends it, with its signature checked.
Use them from a conftest or a test module::

    from tests.twilio_fixtures import (  # noqa: F401 - fixtures
        fake_channel,
        fake_channel_server,
        fresh_twilio_emulator,
        twilio_emulator,
    )
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
import requests
from aiohttp import web
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from emulators.admin_client import TwilioAdmin
from emulators.twilio_api.app import create_app
from emulators.twilio_call import new_call_sid
from settings import TwilioRestSettings
from settings.tooling import TwilioEmulatorSettings
from stack.processes import free_port
from tests.in_process import InProcessServer

ACCOUNT_SID = "AC" + "0" * 32
RING_SECONDS = 0.05
TIME_SCALE = 0.01
AGENT_ROUTE = "/webhooks/twilio_voice/agent"
STATUS_ROUTE = "/webhooks/twilio_voice/agent_status"
CALLER_ROUTE = "/webhooks/twilio_voice/webhook"
WHISPER = "A caller needs help with the VPN. Press 1 to accept, 9 to decline."
NO_ANSWER = "You did not press a key. Goodbye."
DECLINED = "Okay, the caller will be told."
AGENT = "+15555550111"  # an agent's phone
CALLER = "+15555550100"  # a caller's phone
SUPPORT = "+15555550199"  # the help desk's number


class RunningTwilioEmulator(TwilioAdmin):
    """A started emulator: its admin client, and its REST API under the account."""

    def __init__(self, server: InProcessServer, account_sid: str, auth_token: str) -> None:
        super().__init__(server.base_url)
        self.server = server
        self.account_sid = account_sid
        self.auth_token = auth_token

    @property
    def port(self) -> int:
        return self.server.port

    def __repr__(self) -> str:  # never print the auth token
        return f"RunningTwilioEmulator(port={self.port}, account_sid={self.account_sid!r})"

    def rest_settings(self, timeout_seconds: float = 2.0) -> TwilioRestSettings:
        """Settings that point telephony.twilio_rest.TwilioRest at this emulator."""
        return TwilioRestSettings(
            account_sid=self.account_sid,
            auth_token=self.auth_token,
            api_base_url=self.base_url,
            timeout_seconds=timeout_seconds,
        )

    def set_agent(  # type: ignore[override]
        self, number: str, behaviour: str, ring_seconds: float = RING_SECONDS
    ) -> dict[str, object]:
        """Agents here ring for RING_SECONDS unless told otherwise."""
        return super().set_agent(number, behaviour, ring_seconds)

    # -- the REST API itself ---------------------------------------------------------

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """A raw REST request under the account, e.g. ``api("GET", "/Calls.json")``."""
        kwargs.setdefault("auth", (self.account_sid, self.auth_token))
        kwargs.setdefault("timeout", 10)
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}{path}"
        return requests.request(method, url, **kwargs)

    def stop(self) -> None:
        self.server.stop()


def probe(emulator: RunningTwilioEmulator, **kwargs: object) -> requests.Response:
    """A REST request the emulator answers 404 when healthy: moving an unknown call."""
    url = "http://127.0.0.1:9/next"
    return emulator.api("POST", f"/Calls/{new_call_sid()}.json", data={"Url": url}, **kwargs)


def start_twilio_emulator() -> RunningTwilioEmulator:
    """Serve an emulator on a free port with a fresh auth token and fast agent phones."""
    config = TwilioEmulatorSettings(
        account_sid=ACCOUNT_SID,
        auth_token=secrets.token_hex(16),
        agent_behaviour="accept",
        ring_seconds=RING_SECONDS,
        time_scale=TIME_SCALE,
    )
    server = InProcessServer(create_app(config)).start()
    return RunningTwilioEmulator(server, config.account_sid, config.auth_token)


@pytest.fixture(scope="session")
def twilio_emulator() -> Iterator[RunningTwilioEmulator]:
    """One Twilio emulator for the whole test session."""
    emulator = start_twilio_emulator()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def fresh_twilio_emulator(
    twilio_emulator: RunningTwilioEmulator,
) -> Iterator[RunningTwilioEmulator]:
    """The session's emulator, reset (no calls, default agents, no fault) for one test."""
    twilio_emulator.reset()
    yield twilio_emulator
    twilio_emulator.reset()


@pytest.fixture
def emulator(fresh_twilio_emulator: RunningTwilioEmulator) -> RunningTwilioEmulator:
    """``fresh_twilio_emulator`` by the short name the emulator's own tests use."""
    return fresh_twilio_emulator


# -- "our channel", played by a tiny aiohttp server --------------------------------------


@dataclass
class Received:
    """One request the emulator sent to the fake channel."""

    path: str
    query: dict[str, str]
    params: dict[str, str]
    signature_valid: bool


@dataclass
class FakeChannel:
    """Serves whisper-then-conference TwiML for agent legs and records signed requests.

    ``POST /webhooks/twilio_voice/agent?conference=NAME`` without ``Digits``
    answers with the whisper (a one-key ``<Gather>`` back to the same route);
    ``Digits=1`` joins conference NAME; any other key says goodbye and hangs
    up. A caller leg dialling ``/webhooks/twilio_voice/webhook?conference=NAME``
    waits in conference NAME (it ends the conference when it leaves).
    ``/webhooks/twilio_voice/agent_status`` takes status callbacks;
    ``/broken`` answers 500.
    """

    auth_token: str
    received: list[Received] = field(default_factory=list)
    action_on_empty_result: bool = False
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def agent_url(self, conference: str) -> str:
        return f"{self.base_url}{AGENT_ROUTE}?{urlencode({'conference': conference})}"

    def caller_url(self, conference: str) -> str:
        """Where a caller leg dials in: it is put on hold in ``conference`` at once."""
        return f"{self.base_url}{CALLER_ROUTE}?{urlencode({'conference': conference})}"

    def status_url(self, conference: str) -> str:
        return f"{self.base_url}{STATUS_ROUTE}?{urlencode({'conference': conference})}"

    def redirect_twiml(self, conference: str) -> str:
        """What the action places the call with: go and ask the channel."""
        answer = VoiceResponse()
        answer.redirect(self.agent_url(conference), method="POST")
        return str(answer)

    def whisper(self, conference: str) -> str:
        answer = VoiceResponse()
        gather = Gather(
            num_digits=1,
            action=self.agent_url(conference),
            method="POST",
            timeout=8,
            action_on_empty_result=self.action_on_empty_result or None,
        )
        gather.say(WHISPER)
        answer.append(gather)
        answer.say(NO_ANSWER)
        answer.hangup()
        return str(answer)

    def callbacks(self) -> list[Received]:
        return [r for r in self.received if r.path == STATUS_ROUTE]

    def wait_for_callbacks(self, count: int, timeout: float = 30.0) -> list[Received]:
        """The status callbacks once ``count`` arrived (the timeout only bounds a hang)."""
        deadline = time.monotonic() + timeout
        while len(self.callbacks()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"callbacks never got there: {self.callbacks()}")
            time.sleep(0.02)
        return self.callbacks()

    def clear(self) -> None:
        self.received.clear()
        self.action_on_empty_result = False

    async def _record(self, request: web.Request) -> Received:
        params = dict(await request.post()) if request.method == "POST" else {}
        validator = RequestValidator(self.auth_token)
        signature = request.headers.get("X-Twilio-Signature", "")
        entry = Received(
            path=request.path,
            query=dict(request.query),
            params={k: str(v) for k, v in params.items()},
            signature_valid=validator.validate(
                f"http://{request.host}{request.path_qs}", params, signature
            ),
        )
        self.received.append(entry)
        return entry

    async def _agent(self, request: web.Request) -> web.Response:
        entry = await self._record(request)
        conference = entry.query.get("conference", "")
        digits = entry.params.get("Digits")
        if digits is None:
            twiml = self.whisper(conference)
        elif digits == "1":
            answer = VoiceResponse()
            answer.dial().conference(
                conference, start_conference_on_enter=True, end_conference_on_exit=False
            )
            twiml = str(answer)
        else:
            answer = VoiceResponse()
            answer.say(DECLINED)
            answer.hangup()
            twiml = str(answer)
        return web.Response(text=twiml, content_type="text/xml")

    async def _caller(self, request: web.Request) -> web.Response:
        entry = await self._record(request)
        answer = VoiceResponse()
        answer.dial().conference(
            entry.query.get("conference", ""),
            start_conference_on_enter=False,
            end_conference_on_exit=True,
        )
        return web.Response(text=str(answer), content_type="text/xml")

    async def _status(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(text=str(VoiceResponse()), content_type="text/xml")

    async def _broken(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(status=500, text="boom")

    def start(self) -> FakeChannel:
        app = web.Application()
        app.router.add_route("*", AGENT_ROUTE, self._agent)
        app.router.add_route("*", STATUS_ROUTE, self._status)
        app.router.add_route("*", CALLER_ROUTE, self._caller)
        app.router.add_route("*", "/broken", self._broken)
        self.port = free_port()
        ready = threading.Event()
        loop = asyncio.new_event_loop()
        self._loop = loop

        def serve() -> None:
            asyncio.set_event_loop(loop)
            runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-channel", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake channel did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


@pytest.fixture(scope="session")
def fake_channel_server(twilio_emulator: RunningTwilioEmulator) -> Iterator[FakeChannel]:
    channel = FakeChannel(twilio_emulator.auth_token).start()
    try:
        yield channel
    finally:
        channel.stop()


@pytest.fixture
def fake_channel(fake_channel_server: FakeChannel) -> Iterator[FakeChannel]:
    """The session's fake channel with nothing received yet."""
    fake_channel_server.clear()
    yield fake_channel_server
    fake_channel_server.clear()
