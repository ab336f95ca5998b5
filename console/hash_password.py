"""``python -m console.hash_password``: prints a hash for CONSOLE_OPERATORS.

The password is read without echo (or from stdin when piped), never from the
command line, so it stays out of shell history and process lists.
"""

from __future__ import annotations

import getpass
import sys

from console.passwords import hash_password


def main() -> None:
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise SystemExit("the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        raise SystemExit("use at least 8 characters")
    print(hash_password(password))


if __name__ == "__main__":
    main()
