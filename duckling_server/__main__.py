"""``python -m duckling_server --port 8000 [--host 127.0.0.1]``.

Port and default time zone come from ``DUCKLING_PORT`` and ``DUCKLING_TIMEZONE``
(see ``settings.StackSettings``); the flags override them. The process switches
to the ``C.UTF-8`` locale when its own is not UTF-8 (Duckling needs one).
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from duckling_server.app import create_app
from duckling_server.parser import DEFAULT_ZONEINFO_DIR, DucklingInputError, DucklingParser
from settings import SettingsError, StackSettings, load_environment


def _arguments(argv: Sequence[str] | None, port: int, timezone: str) -> argparse.Namespace:
    cli = argparse.ArgumentParser(
        prog="python -m duckling_server",
        description="Duckling's /parse HTTP API over pyduckling.",
    )
    cli.add_argument("--host", default="127.0.0.1", help="address to listen on")
    cli.add_argument("--port", type=int, default=port, help=f"port (default {port})")
    cli.add_argument(
        "--timezone", default=timezone, help=f"tz when a request has none (default {timezone})"
    )
    cli.add_argument(
        "--zoneinfo", default=DEFAULT_ZONEINFO_DIR, help="time zone database directory"
    )
    return cli.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    load_environment()
    try:
        settings = StackSettings.from_env()
    except SettingsError as error:
        print(f"duckling_server: {error}", file=sys.stderr)
        return 2
    args = _arguments(argv, settings.duckling_port, settings.duckling_timezone)
    try:
        parser = DucklingParser(default_timezone=args.timezone, zoneinfo_dir=args.zoneinfo)
    except DucklingInputError as error:
        print(f"duckling_server: {error}", file=sys.stderr)
        return 2
    app = create_app(parser)
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
