"""``python -m console [--port N]``: serves the agent console (started by ``make up``)."""

from __future__ import annotations

import argparse
import logging

from console.app import create_app
from settings import load_environment
from settings.console import ConsoleSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default: CONSOLE_PORT")
    args = parser.parse_args()
    load_environment()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = ConsoleSettings.from_env()
    app = create_app(settings)
    app.run(
        host=args.host,
        port=args.port or settings.port,
        motd=False,
        access_log=False,  # request lines carry call SIDs; keep the log to what matters
        workers=1,
    )


if __name__ == "__main__":
    main()
