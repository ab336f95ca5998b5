"""The one builder of the voice channel's absolute URLs (Gather actions, redirects, callbacks)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

CHANNEL_PATH = "/webhooks/twilio_voice"
# The query parameter that names a call in the URLs its turns come back on: a
# balancer in front of Rasa replicas keeps a call on one replica by it
# (stack/balancer.py), where its tracker, kept dialogue states and lock are warm.
CALL_TAG = "call"


def call_tag(call_sid: str) -> str:
    """A short stable tag of a call, without its SID (routing and logs)."""
    return hashlib.sha256(call_sid.encode()).hexdigest()[:10]


def channel_url(base_url: str, route: str, *, call_sid: str = "", **query: object) -> str:
    """Absolute URL of a voice-channel route, e.g. ``gather`` or ``agent_answered``;
    with ``call_sid``, it carries the call's tag first."""
    url = f"{base_url.rstrip('/')}{CHANNEL_PATH}/{route}"
    if call_sid:
        query = {CALL_TAG: call_tag(call_sid), **query}
    return f"{url}?{urlencode(query)}" if query else url
