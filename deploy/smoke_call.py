"""One signed call against a running stack: the deployed webhook answers with speech.

CI's images job runs it after ``docker compose up`` (deploy/compose_smoke.sh);
an operator can run it against a deployment. It posts what Twilio posts when a
call starts, signed with the account's auth token, and expects TwiML with a
``<Say>``. Exit status 0 means the call was answered; anything else prints why.

Run it from the project root: ``python -m deploy.smoke_call --url ...`` (its defaults,
SMOKE_URL, PUBLIC_URL and TWILIO_AUTH_TOKEN, come through settings/tooling.py). Only the
standard library and twilio (for the signature) are needed.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

from settings.tooling import DEFAULT_SMOKE_URL, SmokeCallSettings

WEBHOOK_PATH = "/webhooks/twilio_voice/webhook"
DEFAULT_URL = DEFAULT_SMOKE_URL  # http://127.0.0.1:5005 + WEBHOOK_PATH


def call_started_form(call_sid: str | None = None) -> dict[str, str]:
    """The form Twilio posts to the voice URL when a call comes in (fake numbers)."""
    return {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid or "CA" + secrets.token_hex(16),
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": "+15555550100",
        "To": "+15555550199",
    }


def sign(url: str, form: Mapping[str, str], auth_token: str) -> str:
    """The X-Twilio-Signature Twilio would send for this POST to ``url``."""
    return RequestValidator(auth_token).compute_signature(url, dict(form))


def spoken_text(twiml: str) -> list[str]:
    """Texts of every ``<Say>`` in a TwiML document; ValueError if it is not TwiML."""
    try:
        root = ET.fromstring(twiml)  # noqa: S314 - our own server's answer
    except ET.ParseError as error:
        raise ValueError(f"not XML: {error}") from None
    if root.tag != "Response":
        raise ValueError(f"not TwiML: root element is <{root.tag}>")
    return [(say.text or "").strip() for say in root.iter("Say")]


def place_call(url: str, signed_url: str, auth_token: str, timeout: float) -> str:
    """POST the signed call-started form; the response body (HTTPError on non-2xx)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"--url must be http(s), got {url!r}")
    form = call_started_form()
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=urlencode(form).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(signed_url, form, auth_token),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        return answer.read().decode("utf-8", errors="replace")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = SmokeCallSettings.from_env()
    parser.add_argument(
        "--url",
        default=defaults.url,
        help=f"voice webhook to call (env SMOKE_URL; default {DEFAULT_URL})",
    )
    parser.add_argument(
        "--public-url",
        default=defaults.public_url,
        help="base URL the server believes Twilio called (env PUBLIC_URL); the signature "
        "covers it plus the webhook path. Default: --url itself",
    )
    parser.add_argument(
        "--auth-token",
        default=defaults.auth_token,
        help="the account's auth token the server checks signatures with (env TWILIO_AUTH_TOKEN)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait (30)")
    args = parser.parse_args(argv)
    if not args.auth_token:
        parser.error("--auth-token or TWILIO_AUTH_TOKEN is required")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    path = urlsplit(args.url).path
    signed_url = f"{args.public_url.rstrip('/')}{path}" if args.public_url else args.url
    try:
        body = place_call(args.url, signed_url, args.auth_token, args.timeout)
        said = spoken_text(body)
    except urllib.error.HTTPError as error:
        print(f"smoke call failed: HTTP {error.code} from {args.url}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:
        print(f"smoke call failed: {error} ({args.url})", file=sys.stderr)
        return 1
    if not any(said):
        print(f"smoke call failed: no <Say> in the answer: {body[:300]}", file=sys.stderr)
        return 1
    print(f"smoke call answered: {said[0]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
