"""What a Twilio call SID looks like: ``CA`` and 32 hexadecimal digits."""

from __future__ import annotations

import re

CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")


def is_call_sid(value: object) -> bool:
    return isinstance(value, str) and CALL_SID.match(value) is not None
