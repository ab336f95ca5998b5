"""Password hashes for operators: PBKDF2-SHA256 from the standard library, salted.

The format is Django's (``pbkdf2_sha256$iterations$salt$hash``), so hashes can be
checked by other tools; only hashes are ever configured, never passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from settings.console import HASH_PREFIX

ITERATIONS = 390_000


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: str | None = None) -> str:
    if not password:
        raise ValueError("the password is empty")
    salt = salt or secrets.token_hex(12)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    encoded = base64.b64encode(digest).decode()
    return f"{HASH_PREFIX}{iterations}${salt}${encoded}"


def verify_password(password: str, encoded: str) -> bool:
    """True when ``password`` matches; a malformed hash never matches."""
    try:
        algorithm, iterations, salt, _ = encoded.split("$", 3)
        rounds = int(iterations)
    except ValueError:
        return False
    if f"{algorithm}$" != HASH_PREFIX or rounds < 1:
        return False
    expected = hash_password(password, iterations=rounds, salt=salt) if password else ""
    return hmac.compare_digest(expected.encode(), encoded.encode())
