"""``python -m stack up|down``: the local stack for ``make up`` and ``make down``."""

from __future__ import annotations

import sys

from stack.local import down, up


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "up":
        up()
    elif command == "down":
        down()
    else:
        raise SystemExit("usage: python -m stack up|down")


if __name__ == "__main__":
    main()
