"""The emulators' log: one timestamped line per request, never a credential."""

from __future__ import annotations

import logging


def request_logger(name: str) -> logging.Logger:
    """A logger for ``name`` that writes ``time name message`` lines to stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    log = logging.getLogger(name)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return log
