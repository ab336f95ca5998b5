"""Serve a Sanic app from the test process, on a loopback port, in a thread of its own.

Unit tests talk to our Sanic servers (the emulators, Duckling) over real HTTP
without starting a process: the app runs on its own event loop in a daemon thread,
so blocking clients (requests, the twilio library) and async ones alike can call it.
Sanic's own in-process client (``app.asgi_client``) would need sanic-testing, which
the pinned requirements do not install.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from sanic import Sanic
from sanic.server.async_server import AsyncioServer

from stack.processes import free_port

T = TypeVar("T")
START_TIMEOUT_SECONDS = 30.0

# Several apps of one name (one emulator per test) may exist in one process.
Sanic.test_mode = True


class InProcessServer:
    """One Sanic app listening on 127.0.0.1 (a free port unless given one)."""

    def __init__(self, app: Sanic, port: int | None = None) -> None:
        self.app = app
        self.port = port or free_port()  # Sanic reads port 0 as its default, 8000
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"in-process {app.name}", daemon=True
        )
        self._server: AsyncioServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run ``coroutine`` on the server's loop (where the app's state lives)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def start(self) -> InProcessServer:
        self._thread.start()
        self.run(self._start(), timeout=START_TIMEOUT_SECONDS)
        return self

    async def _start(self) -> None:
        self.app.config.MOTD = False  # its banner asks `uname -p`, a child process
        server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        assert server is not None and server.server is not None  # listening already
        await server.startup()
        await server.before_start()
        await server.after_start()
        self._server = server

    async def _stop(self) -> None:
        server = self._server
        if server is None:
            return
        self._server = None
        await server.before_stop()
        server.close()
        await server.wait_closed()
        for connection in list(server.connections):
            connection.close_if_idle()
        await server.after_stop()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def stop(self) -> None:
        """Stop listening, run the app's stop listeners, end the thread."""
        if not self._thread.is_alive():
            return
        try:
            self.run(self._stop(), timeout=START_TIMEOUT_SECONDS)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(START_TIMEOUT_SECONDS)
            if not self._thread.is_alive():
                self._loop.close()
