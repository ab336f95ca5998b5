"""The console over real loopback HTTP, served in-process (no child process).

Sign-in, sessions, CSRF and the rate limit, then the pages an operator uses,
with Rasa's API (and the voice channel's take-over route) replaced by a fake
that records calls. The console has no Twilio client.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sanic import Sanic

from console.app import create_app
from console.passwords import hash_password
from console.rasa_api import TakeOver
from console.sessions import COOKIE
from settings.console import ConsoleSettings
from stack.processes import free_port

PASSWORD = "correct horse battery"
OPERATOR_PHONE = "+15555550142"
CALL_SID = "CA" + "1" * 32
_names = itertools.count()


class FakeRasa:
    def __init__(self) -> None:
        self.taken: list[tuple[str, str]] = []
        self.ringing = True

    async def take_over(self, sid: str, operator_phone: str) -> TakeOver:
        self.taken.append((sid, operator_phone))
        return TakeOver(["I'm bringing in a colleague. Please hold."], ringing=self.ringing)

    async def model_file(self) -> str | None:
        return None

    async def load_model(self, path: str) -> None:
        raise AssertionError("not in these tests")


def settings_for(tmp_path: Path, **overrides: str) -> ConsoleSettings:
    env = {
        "CONSOLE_OPERATORS": f"ada:{OPERATOR_PHONE}:{hash_password(PASSWORD, iterations=1000)}",
        "CONSOLE_SECRET": "s" * 32,
        "RASA_API_TOKEN": "t" * 24,
        "RASA_EVENT_BROKER_DB": str(tmp_path / "events.sqlite3"),
        "CONSOLE_DB": str(tmp_path / "console.sqlite3"),
        "CONSOLE_REVIEWED_NLU": str(tmp_path / "reviewed.yml"),
        "CONSOLE_MODELS_DIR": str(tmp_path / "models"),
        "CONSOLE_SIGNIN_LIMIT": "3",
        **overrides,
    }
    return ConsoleSettings.from_env(env)


class Console:
    """A running console and a browser-like client with its own cookie jar."""

    def __init__(
        self,
        url: str,
        client: aiohttp.ClientSession,
        rasa: FakeRasa,
        events: Path,
    ):
        self.url, self.client, self.rasa, self.events = url, client, rasa, events

    async def get(self, path: str) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.client.get(self.url + path, allow_redirects=False) as reply:
            return reply.status, await reply.text(), reply

    async def post(
        self, path: str, data: dict[str, str]
    ) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.client.post(self.url + path, data=data, allow_redirects=False) as reply:
            return reply.status, await reply.text(), reply

    async def csrf(self, path: str = "/signin") -> str:
        _, html, _ = await self.get(path)
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        assert match, "every page carries its CSRF token"
        return match.group(1)

    async def sign_in(self, password: str = PASSWORD, name: str = "ada") -> int:
        token = await self.csrf()
        status, _, _ = await self.post(
            "/signin", {"csrf": token, "name": name, "password": password}
        )
        return status

    def broker_rows(self, *events: dict[str, Any]) -> None:
        """Rows as Rasa's SQL event broker writes them."""
        import json

        with sqlite3.connect(self.events) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS events"
                " (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"
            )
            db.executemany(
                "INSERT INTO events (sender_id, data) VALUES (?, ?)",
                [(CALL_SID, json.dumps(e)) for e in events],
            )


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    Sanic.test_mode = True  # lets several apps start in one process, as sanic-testing does
    settings = settings_for(tmp_path)
    rasa = FakeRasa()
    app = create_app(settings, rasa=rasa, name=f"console_test_{next(_names)}")  # type: ignore[arg-type]
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    assert server is not None
    await server.startup()
    await server.after_start()
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        yield Console(f"http://127.0.0.1:{port}", client, rasa, settings.events_db)
    await server.before_stop()
    server.close()
    await server.wait_closed()
    for connection in list(server.connections):
        connection.close_if_idle()
    await asyncio.sleep(0.05)  # let closed connections finish before the loop ends
    await server.after_stop()


# -- sign-in ------------------------------------------------------------------------


async def test_without_a_session_every_page_redirects_to_sign_in(console: Console) -> None:
    for path in ("/", "/history", "/review", "/training", f"/calls/{CALL_SID}"):
        status, _, reply = await console.get(path)
        assert status == 302, path
        assert reply.headers["Location"] == "/signin"


async def test_signing_in_opens_the_live_calls_page(console: Console) -> None:
    assert await console.sign_in() == 303
    status, html, _ = await console.get("/")
    assert status == 200
    assert "Live calls" in html
    assert "<svg" in html, "the home page carries its pictures"


async def test_the_session_cookie_is_http_only_and_same_site_strict(console: Console) -> None:
    token = await console.csrf()
    async with console.client.post(
        console.url + "/signin",
        data={"csrf": token, "name": "ada", "password": PASSWORD},
        allow_redirects=False,
    ) as reply:
        cookie = reply.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"


async def test_signing_in_replaces_the_session_id(console: Console) -> None:
    await console.csrf()
    before = console.client.cookie_jar.filter_cookies(console.url)[COOKIE].value
    await console.sign_in()
    after = console.client.cookie_jar.filter_cookies(console.url)[COOKIE].value
    assert before != after


async def test_a_post_without_the_csrf_token_gets_403(console: Console) -> None:
    await console.sign_in()
    status, _, _ = await console.post(f"/calls/{CALL_SID}/takeover", {})
    assert status == 403
    status, _, _ = await console.post("/training/train", {"csrf": "forged"})
    assert status == 403
    status, _, _ = await console.post("/signin", {"name": "ada", "password": PASSWORD})
    assert status == 403, "even the sign-in form needs its token"


async def test_a_wrong_password_is_refused(console: Console) -> None:
    assert await console.sign_in(password="guess") == 401
    status, _, _ = await console.get("/")
    assert status == 302


async def test_after_the_limit_sign_ins_are_refused_even_with_the_right_password(
    console: Console,
) -> None:
    for _ in range(3):  # CONSOLE_SIGNIN_LIMIT=3
        assert await console.sign_in(password="guess") == 401
    assert await console.sign_in() == 429
    status, _, _ = await console.get("/")
    assert status == 302


async def test_signing_out_ends_the_session(console: Console) -> None:
    await console.sign_in()
    token = await console.csrf("/")
    status, _, _ = await console.post("/signout", {"csrf": token})
    assert status == 303
    status, _, _ = await console.get("/")
    assert status == 302


# -- live calls and take-over ------------------------------------------------------------


def call_events(start: float) -> list[dict[str, Any]]:
    return [
        {"event": "slot", "name": "caller_phone", "value": "+15555550100", "timestamp": start},
        {"event": "bot", "text": "Hi, you've reached the IT help desk.", "timestamp": start + 1},
        {
            "event": "user",
            "text": "my vpn keeps dropping",
            "parse_data": {"intent": {"name": "problem_vpn", "confidence": 0.93}},
            "timestamp": start + 2,
        },
        {"event": "active_loop", "name": "open_incident_form", "timestamp": start + 3},
        {"event": "slot", "name": "requested_slot", "value": "priority", "timestamp": start + 3},
    ]


async def wait_for(condition: Any, timeout: float = 30.0) -> Any:
    """Poll ``condition``; the timeout bounds a hang only (a busy machine is no failure)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await condition()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_a_live_call_shows_its_masked_number_form_and_intent(console: Console) -> None:
    await console.sign_in()
    console.broker_rows(*call_events(time.time()))

    async def listed() -> str | None:
        _, html, _ = await console.get("/")
        return html if CALL_SID in html else None

    html = await wait_for(listed)
    assert "•••0100" in html
    assert "+15555550100" not in html, "the full number never reaches the page"
    assert "open_incident_form · asking priority" in html
    assert "problem_vpn (0.93)" in html


async def test_the_stream_sends_a_new_turn(console: Console) -> None:
    await console.sign_in()
    console.broker_rows(*call_events(time.time()))
    await wait_for(lambda: _listed(console))  # a call not on the board yet ends the stream
    async with console.client.get(f"{console.url}/stream?call={CALL_SID}") as reply:
        assert reply.headers["Content-Type"].startswith("text/event-stream")
        console.broker_rows(
            {
                "event": "user",
                "text": "it is blocking me",
                "parse_data": {"intent": {"name": "inform", "confidence": 0.81}},
                "timestamp": time.time(),
            }
        )

        async def the_new_turn() -> None:
            async for line in reply.content:
                if b"it is blocking me" in line:
                    return
            raise AssertionError("the stream ended without the new turn")

        # The feed reads the broker a few times a second: 30 s only bounds a hang.
        await asyncio.wait_for(the_new_turn(), timeout=30)


async def test_take_over_rings_the_operator_through_the_hand_off(console: Console) -> None:
    await console.sign_in()
    console.broker_rows(*call_events(time.time()))
    await wait_for(lambda: _listed(console))
    token = await console.csrf(f"/calls/{CALL_SID}")
    status, _, _ = await console.post(f"/calls/{CALL_SID}/takeover", {"csrf": token})
    assert status == 303
    assert console.rasa.taken == [(CALL_SID, OPERATOR_PHONE)]
    _, html, _ = await console.get(f"/calls/{CALL_SID}")
    assert "bringing in a colleague" in html
    assert "Your phone is ringing" in html


async def test_a_take_over_whose_phone_could_not_be_rung_says_so(console: Console) -> None:
    console.rasa.ringing = False
    await console.sign_in()
    console.broker_rows(*call_events(time.time()))
    await wait_for(lambda: _listed(console))
    token = await console.csrf(f"/calls/{CALL_SID}")
    await console.post(f"/calls/{CALL_SID}/takeover", {"csrf": token})
    _, html, _ = await console.get(f"/calls/{CALL_SID}")
    assert "Your phone could not be rung" in html


async def test_a_caller_already_on_hold_is_not_taken_over_twice(console: Console) -> None:
    await console.sign_in()
    hold = {"event": "bot", "text": "Please hold.", "timestamp": time.time(),
            "data": {"custom": {"handoff": {"conference": "handoff-1"}}}}  # fmt: skip
    console.broker_rows(*call_events(time.time()), hold)
    await wait_for(lambda: _listed(console))
    token = await console.csrf(f"/calls/{CALL_SID}")
    status, _, _ = await console.post(f"/calls/{CALL_SID}/takeover", {"csrf": token})
    assert status == 303
    assert console.rasa.taken == []


async def _listed(console: Console) -> bool:
    _, html, _ = await console.get("/")
    return CALL_SID in html


async def test_an_ended_call_moves_to_the_history_and_its_fallback_to_review(
    console: Console,
) -> None:
    await console.sign_in()
    start = time.time()
    console.broker_rows(
        *call_events(start),
        {
            "event": "user",
            "text": "the thingy with the lights",
            "parse_data": {
                "intent": {"name": "nlu_fallback", "confidence": 0.45},
                "intent_ranking": [
                    {"name": "nlu_fallback", "confidence": 0.45},
                    {"name": "problem_hardware", "confidence": 0.31},
                ],
            },
            "timestamp": start + 5,
        },
        {"event": "slot", "name": "incident_number", "value": "INC0010042", "timestamp": start + 8},
        {"event": "pause", "timestamp": start + 9},
    )

    async def in_history() -> str | None:
        _, html, _ = await console.get("/history?incident=INC0010042")
        return html if CALL_SID in html else None

    html = await wait_for(in_history)
    assert "ticket" in html
    _, html, _ = await console.get("/review")
    assert "the thingy with the lights" in html
    item = re.search(r'action="/review/(\d+)"', html)
    assert item
    token = await console.csrf("/review")
    status, _, _ = await console.post(
        f"/review/{item.group(1)}", {"csrf": token, "label": "problem_hardware", "action": "label"}
    )
    assert status == 303
    reviewed = Path(console.events).parent / "reviewed.yml"
    assert "- intent: problem_hardware" in reviewed.read_text()
    assert "the thingy with the lights" in reviewed.read_text()
    _, html, _ = await console.get("/review")
    assert "the thingy with the lights" not in html, "a labelled turn leaves the list"
