"""``python -m stack up|down|status``: the local stack for ``make up``, ``down`` and ``status``."""

from __future__ import annotations

import sys

from stack.local import down, status, up


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "up":
        up()
    elif command == "down":
        down()
    elif command == "status":
        raise SystemExit(status())
    else:
        raise SystemExit("usage: python -m stack up|down|status")


if __name__ == "__main__":
    main()
