"""``create_app``: the console's Sanic app, its routes and the guards in front of them.

Every page needs a signed-in operator (a GET without one is sent to the sign-in
page); every POST needs the session's CSRF token (403 without it); failed
sign-ins are rate-limited. URLs carry call SIDs and incident numbers at most,
never a caller's number or words.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import charts, review, views
from console.board import Board
from console.calls import CallState
from console.feed import Feed
from console.history import Store
from console.links import incident_url
from console.passwords import hash_password, verify_password
from console.rasa_api import RasaApi, RasaApiError
from console.ratelimit import SignInLimiter
from console.sessions import COOKIE, LIFETIME_SECONDS, Session, Sessions
from console.training import Trainer
from settings import PROJECT_ROOT, ServiceNowSettings
from settings.console import ConsoleSettings, Operator
from telephony.ids import is_call_sid

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
DOMAIN = PROJECT_ROOT / "rasa_bot" / "domain.yml"
PUBLIC_PATHS = ("/signin", "/health", "/static/")
STREAM_SECONDS = 300.0  # EventSource reconnects by itself after this
RETENTION_EVERY_SECONDS = 3600.0
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(
    settings: ConsoleSettings,
    *,
    rasa: RasaApi | None = None,
    servicenow: ServiceNowSettings | None = None,
    name: str = "helpdesk_console",
    start_feed: bool = True,
) -> Sanic:
    """The console app; ``rasa`` can be a fake in tests."""
    app = Sanic(name)
    app.config.KEEP_ALIVE_TIMEOUT = 75
    app.static("/static", str(STATIC), name="static")
    ctx = app.ctx
    ctx.settings = settings
    ctx.operators = {o.name: o for o in settings.operators}
    ctx.dummy_hash = hash_password("not a password", iterations=1000)
    ctx.sessions = Sessions(settings.secret)
    ctx.limiter = SignInLimiter(settings.signin_limit, settings.signin_window_seconds)
    ctx.store = Store(settings.db)
    ctx.rasa = rasa or RasaApi(
        settings.rasa_url, settings.rasa_api_token, settings.rasa_replica_urls
    )
    ctx.servicenow = servicenow or ServiceNowSettings.from_env()
    ctx.board = Board(settings.silence_seconds, lambda call: _ended(app, call))
    ctx.board.finished = ctx.store.ended_sids()
    ctx.feed = Feed(settings.events_db, ctx.board)
    ctx.trainer = Trainer(ctx.rasa, settings.models_dir, settings.reviewed_nlu)
    ctx.intents = review.labels(DOMAIN)
    ctx.tasks = []
    ctx.saving = set()

    _guards(app)
    _routes(app)

    @app.after_server_start
    async def start(app: Sanic, _: Any) -> None:
        if start_feed:
            app.ctx.tasks.append(asyncio.create_task(app.ctx.feed.run()))
        app.ctx.tasks.append(asyncio.create_task(_retention(app)))

    @app.before_server_stop
    async def stop(app: Sanic, _: Any) -> None:
        for task in app.ctx.tasks:
            task.cancel()

    return app


def _ended(app: Sanic, call: CallState) -> None:
    """An ended call goes to the history (in a thread: SQLite blocks)."""
    settings: ConsoleSettings = app.ctx.settings
    args = (call, settings.silence_seconds, settings.low_confidence)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        app.ctx.store.save_call(*args)
        return
    task = loop.create_task(asyncio.to_thread(app.ctx.store.save_call, *args))
    app.ctx.saving.add(task)  # keep a reference until it is done
    task.add_done_callback(app.ctx.saving.discard)


async def _retention(app: Sanic) -> None:
    settings: ConsoleSettings = app.ctx.settings
    while True:
        try:
            deleted = await asyncio.to_thread(
                app.ctx.store.delete_older_than, settings.retention_days, settings.events_db
            )
            if deleted:
                logger.info(
                    "retention: deleted %d calls older than %d days",
                    deleted,
                    settings.retention_days,
                )
        except Exception:
            logger.exception("retention clean-up failed")
        await asyncio.sleep(RETENTION_EVERY_SECONDS)


# -- guards --------------------------------------------------------------------------


def _guards(app: Sanic) -> None:
    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        sessions: Sessions = request.app.ctx.sessions
        session = sessions.get(request.cookies.get(COOKIE))
        request.ctx.new_cookie = session is None
        request.ctx.session = session or sessions.new()
        if request.method == "POST":
            token = request.form.get("csrf") if request.form else None
            token = token or request.headers.get("x-csrf-token")
            if request.ctx.new_cookie or not Sessions.csrf_ok(request.ctx.session, token):
                return response.text("missing or wrong CSRF token", status=403)
        if request.path.startswith(PUBLIC_PATHS) or request.ctx.session.operator:
            return None
        if request.method == "GET":
            return response.redirect("/signin")
        return response.text("sign in first", status=403)

    @app.on_response
    async def cookie_and_headers(request: Request, reply: HTTPResponse) -> None:
        for header, value in SECURITY_HEADERS.items():
            reply.headers.setdefault(header, value)
        session: Session | None = getattr(request.ctx, "session", None)
        if session is not None and (
            request.ctx.new_cookie or getattr(request.ctx, "rotated", False)
        ):
            _set_cookie(reply, session, request.app.ctx.settings.secure_cookie)


def _set_cookie(reply: HTTPResponse, session: Session, secure: bool) -> None:
    reply.cookies[COOKIE] = session.sid
    cookie = reply.cookies[COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = LIFETIME_SECONDS
    if secure:
        cookie["secure"] = True


def _operator(request: Request) -> Operator:
    return request.app.ctx.operators[request.ctx.session.operator]


def _page(request: Request, title: str, body: str, name: str, attributes: str = "") -> HTTPResponse:
    session: Session = request.ctx.session
    html = views.page(
        title, body, csrf=session.csrf, operator=session.operator, name=name, attributes=attributes
    )
    return response.html(html)


def _take_notice(request: Request) -> str:
    session: Session = request.ctx.session
    notice, session.notice = session.notice, ""
    return notice


# -- routes ----------------------------------------------------------------------------


def _routes(app: Sanic) -> None:
    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/signin")
    async def signin_form(request: Request) -> HTTPResponse:
        return _page(request, "Sign in", views.signin(request.ctx.session.csrf), "signin")

    @app.post("/signin")
    async def signin(request: Request) -> HTTPResponse:
        ctx = request.app.ctx
        name = (request.form.get("name") or "").strip()[:80]
        password = request.form.get("password") or ""
        address = request.ip or "unknown"
        if ctx.limiter.blocked(address, name):
            logger.warning("sign-in refused: too many failed attempts")
            body = views.signin(
                request.ctx.session.csrf, "Too many failed sign-ins. Wait a few minutes."
            )
            reply = _page(request, "Sign in", body, "signin")
            reply.status = 429
            return reply
        operator = ctx.operators.get(name)
        encoded = operator.password_hash if operator else ctx.dummy_hash
        matches = await asyncio.to_thread(verify_password, password, encoded)
        if operator is None or not matches:
            ctx.limiter.failed(address, name)
            logger.info("failed sign-in")
            body = views.signin(request.ctx.session.csrf, "Wrong name or password.")
            reply = _page(request, "Sign in", body, "signin")
            reply.status = 401
            return reply
        request.ctx.session = ctx.sessions.sign_in(request.ctx.session, operator.name)
        request.ctx.rotated = True
        logger.info("operator signed in")
        return response.redirect("/", status=303)

    @app.post("/signout")
    async def signout(request: Request) -> HTTPResponse:
        request.app.ctx.sessions.end(request.ctx.session)
        request.ctx.session = request.app.ctx.sessions.new()
        request.ctx.rotated = True
        return response.redirect("/signin", status=303)

    @app.get("/")
    async def home(request: Request) -> HTTPResponse:
        ctx = request.app.ctx
        since = time.time() - 24 * 3600
        calls = await asyncio.to_thread(ctx.store.since, since)
        phrases = await asyncio.to_thread(ctx.store.fallback_phrases)
        body = views.home(ctx.board.live(), charts.home_charts(calls, phrases))
        return _page(request, "Live calls", body, "home")

    @app.get("/stream")
    async def stream(request: Request) -> HTTPResponse | None:
        ctx = request.app.ctx
        sid = request.args.get("call")
        if sid is not None and not is_call_sid(sid):
            return response.text("no such call", status=404)
        reply = await request.respond(
            content_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
        deadline = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < deadline:
            if sid is None:
                data: dict[str, Any] = {"calls": ctx.board.live()}
            else:
                detail = ctx.board.detail(sid)
                data = {"call": _with_link(request, detail)} if detail else {"ended": True}
            await reply.send(f"data: {json.dumps(data)}\n\n")
            if data.get("ended"):
                break
            await ctx.board.changed(timeout=1.0)
        await reply.eof()
        return None

    @app.get("/calls/<sid>")
    async def call_page(request: Request, sid: str) -> HTTPResponse:
        ctx = request.app.ctx
        if not is_call_sid(sid):
            return response.text("no such call", status=404)
        detail = ctx.board.detail(sid)
        live = detail is not None
        if detail is None:
            stored = await asyncio.to_thread(ctx.store.call, sid)
            if stored is None:
                return response.text("no such call", status=404)
            detail = stored["detail"]
        detail = _with_link(request, detail)
        body = views.call_page(
            detail,
            csrf=request.ctx.session.csrf,
            phone=_operator(request).phone,
            live=live,
            notice=_take_notice(request) or ("" if live else "The call has ended."),
            incident_url=detail.get("incident_url"),
        )
        return _page(request, f"Call {detail['caller']}", body, "call", f'data-sid="{sid}"')

    @app.post("/calls/<sid>/takeover")
    async def takeover(request: Request, sid: str) -> HTTPResponse:
        ctx = request.app.ctx
        live = ctx.board.calls.get(sid) if is_call_sid(sid) else None
        if live is None:
            return response.text("no such live call", status=404)
        if live.on_hold:
            request.ctx.session.notice = "The caller is already waiting for a person."
            return response.redirect(f"/calls/{sid}", status=303)
        operator = _operator(request)
        try:
            taken = await ctx.rasa.take_over(sid, operator.phone)
            heard = f"The caller hears: {' '.join(taken.said)} " if taken.said else ""
            request.ctx.session.notice = (
                f"{heard}Your phone is ringing: press 1 to join."
                if taken.ringing
                else f"{heard}Your phone could not be rung."
            )
            logger.info("call %s taken over from the console", sid)
        except RasaApiError as error:
            logger.warning("take-over of call %s failed: %s", sid, error)
            request.ctx.session.notice = f"Could not take the call over: {error}"
        return response.redirect(f"/calls/{sid}", status=303)

    @app.get("/history")
    async def history(request: Request) -> HTTPResponse:
        ctx = request.app.ctx
        incident = (request.args.get("incident") or "")[:40]
        calls = await asyncio.to_thread(ctx.store.calls, incident)
        body = views.history(calls, incident, ctx.settings.retention_days)
        return _page(request, "History", body, "history")

    @app.get("/history/<sid>")
    async def history_call(request: Request, sid: str) -> HTTPResponse:
        return await call_page(request, sid)

    @app.get("/review")
    async def review_page(request: Request) -> HTTPResponse:
        ctx = request.app.ctx
        items = await asyncio.to_thread(ctx.store.review_items)
        body = views.review(
            items, ctx.intents, request.ctx.session.csrf, _shown_path(ctx.settings.reviewed_nlu)
        )
        return _page(request, "Review", body, "review")

    @app.post("/review/<item_id:int>")
    async def label(request: Request, item_id: int) -> HTTPResponse:
        ctx = request.app.ctx
        item = await asyncio.to_thread(ctx.store.review_item, item_id)
        if item is None:
            return response.text("no such item", status=404)
        if request.form.get("action") == "ignore":
            await asyncio.to_thread(ctx.store.set_label, item_id, None)
        else:
            intent = request.form.get("label") or ""
            if intent not in ctx.intents:
                return response.text("unknown intent", status=400)
            await asyncio.to_thread(
                review.add_example, ctx.settings.reviewed_nlu, intent, item["text"]
            )
            await asyncio.to_thread(ctx.store.set_label, item_id, intent)
        return response.redirect("/review", status=303)

    @app.get("/training")
    async def training(request: Request) -> HTTPResponse:
        ctx = request.app.ctx
        examples = await asyncio.to_thread(review.read_examples, ctx.settings.reviewed_nlu)
        count = sum(len(v) for v in examples.values())
        body = views.training(
            ctx.trainer.status(), count, request.ctx.session.csrf, _take_notice(request)
        )
        return _page(request, "Training", body, "training")

    @app.get("/training/status")
    async def training_status(request: Request) -> HTTPResponse:
        return response.json(request.app.ctx.trainer.status())

    @app.post("/training/train")
    async def train(request: Request) -> HTTPResponse:
        started = request.app.ctx.trainer.start()
        request.ctx.session.notice = (
            "Training started." if started else "Training is already running."
        )
        return response.redirect("/training", status=303)

    @app.post("/training/activate")
    async def activate(request: Request) -> HTTPResponse:
        return await _switch_model(request, request.app.ctx.trainer.activate, "Activated")

    @app.post("/training/rollback")
    async def rollback(request: Request) -> HTTPResponse:
        return await _switch_model(request, request.app.ctx.trainer.roll_back, "Back to")


async def _switch_model(
    request: Request, switch: Callable[[], Awaitable[str]], done: str
) -> HTTPResponse:
    """Activates or rolls back a model; the training page tells how it went."""
    with _notice_errors(request):
        model = await switch()
        request.ctx.session.notice = f"{done} {Path(model).name}."
    return response.redirect("/training", status=303)


@contextlib.contextmanager
def _notice_errors(request: Request) -> Any:
    try:
        yield
    except (RuntimeError, RasaApiError) as error:
        request.ctx.session.notice = str(error)


def _with_link(request: Request, detail: dict[str, Any]) -> dict[str, Any]:
    number = detail.get("incident")
    url = incident_url(request.app.ctx.servicenow, number) if number else None
    return {**detail, "incident_url": url}


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return path.name
