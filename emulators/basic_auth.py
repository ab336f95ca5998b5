"""HTTP basic authentication as the emulated services check it."""

from __future__ import annotations

import base64
import binascii
import hmac


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
