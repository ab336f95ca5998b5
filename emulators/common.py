"""What the emulators share: basic auth, injected faults, the request log, the command line,
waiting on an event.

A fault makes an emulator's API fail on purpose (``POST /_emulator/faults``
``{"mode", "delay_seconds", "count", "retry_after_seconds"}``), so tests and
demos can see how the assistant copes with a bad day. Each emulator names its
own modes and renders them as HTTP answers; ``count`` limits how many API
requests a fault hits (None: until cleared). Admin routes never see a fault.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import hmac
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from settings import SettingsError, load_environment
from settings.tooling import EmulatorSettings


def credentials_match(header: str | None, user: str, password: str) -> bool:
    """Check an ``Authorization: Basic`` header in constant time."""
    if not header or header[:6].lower() != "basic ":
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    given_user, separator, given_password = decoded.partition(":")
    user_ok = hmac.compare_digest(given_user.encode(), user.encode())
    password_ok = hmac.compare_digest(given_password.encode(), password.encode())
    return bool(separator) and user_ok and password_ok


@dataclass
class Fault:
    mode: str = "none"
    delay_seconds: float = 5.0
    count: int | None = None
    retry_after_seconds: int = 30


class Faults:
    """The active fault of one emulator, and the countdown of the requests it hits."""

    def __init__(self, modes: Sequence[str], fault: Fault | None = None) -> None:
        self.modes = modes
        self.fault = fault or Fault()

    def set_from(self, body: object) -> None:
        """Set the fault a ``POST /_emulator/faults`` body asks for; ValueError if malformed."""
        if not isinstance(body, dict) or body.get("mode", "none") not in self.modes:
            raise ValueError(f"the body must be a JSON object; mode one of {', '.join(self.modes)}")
        numbers = "delay_seconds, count and retry_after_seconds must be numbers >= 0"
        try:
            count = None if body.get("count") is None else int(body["count"])
            delay = float(body.get("delay_seconds", 5.0))
            retry = int(body.get("retry_after_seconds", 30))
        except (TypeError, ValueError):
            raise ValueError(numbers) from None
        if min(delay, count or 0, retry) < 0:
            raise ValueError(numbers)
        self.fault = Fault(body.get("mode", "none"), delay, count, retry) if count != 0 else Fault()

    def take(self) -> Fault | None:
        """The fault that applies to the current request, if any (uses up one count)."""
        fault = self.fault
        if fault.mode == "none":
            return None
        if fault.count is not None:
            fault.count -= 1
            if fault.count <= 0:
                self.fault = Fault()
        return fault


async def wait_until(condition: Callable[[], object], event: asyncio.Event, timeout: float) -> bool:
    """Waits until ``condition()`` holds, looking again whenever ``event`` is set; False
    when ``timeout`` seconds pass first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        event.clear()
        try:
            await asyncio.wait_for(event.wait(), max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            return False
    return True


def add_common_routes(app: Sanic, faults: Faults, logger: logging.Logger, **health: str) -> None:
    """Health and fault routes under ``/_emulator``, and one log line per request
    (method, path, status, time; never a credential, a body or a query string)."""

    @app.on_request
    async def started(request: Request) -> None:
        request.ctx.started = time.monotonic()

    @app.on_response
    async def log_request(request: Request, reply: HTTPResponse) -> None:
        elapsed = (time.monotonic() - getattr(request.ctx, "started", time.monotonic())) * 1000
        logger.info("%s %s -> %s (%.0f ms)", request.method, request.path, reply.status, elapsed)

    @app.get("/_emulator/health")
    async def healthy(request: Request) -> HTTPResponse:
        return response.json({"status": "ok", **health})

    @app.post("/_emulator/faults")
    async def set_fault(request: Request) -> HTTPResponse:
        try:
            faults.set_from(request.json)
        except Exception as problem:  # Sanic's own error for a body that is not JSON, too
            return response.json({"error": str(problem)}, status=400)
        logger.info("fault set: %s", asdict(faults.fault))
        return response.json(asdict(faults.fault))


def serve(
    name: str,
    doc: str,
    modes: Sequence[str],
    port_variable: str,
    default_port: int,
    make_app: Callable[[argparse.Namespace, Fault | None], Sanic],
    add_arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None,
) -> None:
    """An emulator's command line: ``--host``, ``--port`` and ``--fault`` with defaults from
    the environment (``.env`` included): ``<port_variable>``, ``<NAME>_FAULT`` and
    ``<NAME>_FAULT_DELAY``, e.g. SNOW_EMULATOR_FAULT."""
    load_environment()
    try:
        settings = EmulatorSettings.from_env(port_variable, default_port)
    except SettingsError as problem:
        raise SystemExit(f"{name} emulator: {problem}") from None
    parser = argparse.ArgumentParser(
        prog=f"python -m emulators.{name}",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--fault", choices=modes, default=settings.fault)
    add_arguments(parser)
    args = parser.parse_args()
    fault = Fault(args.fault, settings.fault_delay_seconds) if args.fault else None
    try:
        app = make_app(args, fault)
    except ValueError as problem:
        raise SystemExit(f"{name} emulator: {problem}") from None
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    log = logging.getLogger(f"emulators.{name}")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    log.info("%s on http://%s:%d (fault %s)", name, args.host, args.port, args.fault or "none")
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)
