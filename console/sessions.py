"""Server-side sessions and their CSRF tokens.

The cookie holds only a random session id (HttpOnly, SameSite=Strict, Secure
behind HTTPS); who is signed in stays on the server. Every visitor gets a
session, so the sign-in form has a CSRF token too; signing in replaces the
session id. A session's CSRF token is an HMAC of its id under CONSOLE_SECRET.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Callable

COOKIE = "console_session"
LIFETIME_SECONDS = 12 * 3600
MAX_SESSIONS = 10_000


@dataclass
class Session:
    sid: str
    csrf: str
    expires: float
    operator: str | None = None
    notice: str = ""  # shown once on the next page (instead of a message in the URL)


class Sessions:
    def __init__(self, secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret.encode()
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def _token(self, sid: str) -> str:
        return hmac.new(self._secret, sid.encode(), hashlib.sha256).hexdigest()

    def new(self, operator: str | None = None) -> Session:
        self._expire()
        sid = secrets.token_urlsafe(32)
        session = Session(sid, self._token(sid), self._clock() + LIFETIME_SECONDS, operator)
        self._sessions[sid] = session
        return session

    def get(self, sid: str | None) -> Session | None:
        session = self._sessions.get(sid or "")
        if session is None or session.expires < self._clock():
            return None
        return session

    def sign_in(self, old: Session | None, operator: str) -> Session:
        """A fresh session id for the operator (the old one is dropped: no fixation)."""
        if old is not None:
            self._sessions.pop(old.sid, None)
        return self.new(operator)

    def end(self, session: Session) -> None:
        self._sessions.pop(session.sid, None)

    @staticmethod
    def csrf_ok(session: Session | None, token: str | None) -> bool:
        if session is None or not token:
            return False
        return hmac.compare_digest(session.csrf.encode(), token.encode())

    def _expire(self) -> None:
        now = self._clock()
        for sid in [s for s, v in self._sessions.items() if v.expires < now]:
            del self._sessions[sid]
        while len(self._sessions) >= MAX_SESSIONS:  # anonymous visitors cannot fill memory
            self._sessions.pop(next(iter(self._sessions)))
