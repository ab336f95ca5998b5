"""The action server: rasa-sdk's app for ``actions`` plus the ticket outbox worker.

``python -m actions.server --port 5055`` is what the stack and the images run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from rasa_sdk.endpoint import create_app
from sanic import Sanic

from actions import clients
from actions.outbox_worker import run_worker

logger = logging.getLogger(__name__)


def build_app() -> Sanic:
    app = create_app("actions", cors_origins=None)

    @app.after_server_start
    async def start_worker(app: Sanic, _loop: object) -> None:
        app.ctx.outbox_worker = asyncio.create_task(
            run_worker(clients.outbox(), clients.servicenow(), clients.tickets())
        )

    @app.before_server_stop
    async def stop_worker(app: Sanic, _loop: object) -> None:
        app.ctx.outbox_worker.cancel()

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    build_app().run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
