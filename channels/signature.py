"""Checks ``X-Twilio-Signature`` with twilio's RequestValidator.

Twilio signs the URL it requested. Behind an HTTPS-terminating proxy that is
not the URL this server sees, so the public base URL (``PUBLIC_URL``) is
configured and the path and query of the request are appended to it.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from sanic.request import Request
from twilio.request_validator import RequestValidator

from settings import VoiceSettings

SIGNATURE_HEADER = "X-Twilio-Signature"
# Without PUBLIC_URL the signed URL is rebuilt from the Host header, which a
# client chooses; only loopback hosts (the local stack) may be trusted that way.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class SignedParams(dict[str, list[str]]):
    """Form parameters with blank values kept: Twilio signs ``FinishedOnKey=`` too."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def signed_params(request: Request) -> SignedParams:
    """Every form parameter of the request as sent, blank ones included."""
    body = request.body.decode("utf-8", errors="replace") if request.body else ""
    return SignedParams(parse_qs(body, keep_blank_values=True))


class SignatureCheck:
    def __init__(self, settings: VoiceSettings) -> None:
        self._enabled = settings.validate_signature
        self._public_url = (settings.public_url or "").rstrip("/") or None
        self._validator = RequestValidator(settings.auth_token) if self._enabled else None

    def public_base(self, request: Request) -> str:
        """Scheme and host Twilio uses to reach us, without a trailing slash."""
        if self._public_url:
            return self._public_url
        return f"{request.scheme}://{request.host}"

    def signed_url(self, request: Request) -> str:
        """The full URL Twilio signed for this request."""
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{self.public_base(request)}{request.path}{query}"

    def is_valid(self, request: Request) -> bool:
        if self._validator is None:
            return True
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return False
        if self._public_url is None and _hostname(request.host) not in LOOPBACK_HOSTS:
            return False
        params = signed_params(request)
        return bool(self._validator.validate(self.signed_url(request), params, signature))


def _hostname(host: str) -> str:
    """``host`` without its port: ``127.0.0.1:5005`` -> ``127.0.0.1``, ``[::1]:80`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
