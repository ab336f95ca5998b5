"""The one builder of the voice channel's absolute URLs (Gather actions, redirects, callbacks)."""

from __future__ import annotations

from urllib.parse import urlencode

CHANNEL_PATH = "/webhooks/twilio_voice"


def channel_url(base_url: str, route: str, **query: object) -> str:
    """Absolute URL of a voice-channel route, e.g. ``gather`` or ``agent_answered``."""
    url = f"{base_url.rstrip('/')}{CHANNEL_PATH}/{route}"
    return f"{url}?{urlencode(query)}" if query else url
