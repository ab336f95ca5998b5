"""Phone numbers as E.164, the one form caller ID and the directory are compared in.

Twilio sends ``From`` in E.164 already; directories hold what people typed
("(555) 555-0123", "555.555.0123", "+1 555 555 0123"). Without a country code
a 10-digit number is taken as North American (the help desk's region).
"""

from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_ALLOWED = re.compile(r"^[\d\s().+\-/]+$")


def is_e164(number: str) -> bool:
    """Whether ``number`` is already in E.164 (``+`` and 7 to 15 digits)."""
    return bool(_E164.match(number))


def to_e164(number: str | None, country_code: str = "1") -> str | None:
    """``number`` as ``+<digits>``, or None when it cannot be a phone number.

    Blocked or anonymous callers ("anonymous", "+266696687") give None or a
    number no directory holds.
    """
    raw = (number or "").strip()
    if not raw or not _ALLOWED.match(raw):
        return None
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        candidate = f"+{digits}"
    elif raw.startswith("00"):
        candidate = f"+{digits[2:]}"
    elif len(digits) == 10 and country_code == "1":
        candidate = f"+1{digits}"
    elif len(digits) == 11 and digits.startswith(country_code):
        candidate = f"+{digits}"
    else:
        return None
    return candidate if _E164.match(candidate) else None
