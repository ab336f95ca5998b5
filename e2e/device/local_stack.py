"""The whole local stack on free ports, for the offline end-to-end suite.

stack.isolated starts it with the suite's own auth token and stores, so a
developer's stack and the integration tests are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stack.isolated import IsolatedStack, isolated_stack

AUTH_TOKEN = "e2e-offline-token"  # noqa: S105 - signs loopback webhooks only

LocalStack = IsolatedStack


@contextmanager
def local_stack(workdir: Path, timeout: float = 240.0) -> Iterator[IsolatedStack]:
    """Starts every service (training the model first if needed), stops them after."""
    with isolated_stack(
        workdir,
        auth_token=AUTH_TOKEN,
        name="e2e",
        timeout=timeout,
    ) as stack:
        yield stack
