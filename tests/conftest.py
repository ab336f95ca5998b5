"""Fixtures shared by every test layer, the rule that a test's marker is its tier, and
the session's stacks.

tests/unit runs in one process (its conftest refuses child processes); every other
test under tests/ starts processes and says so with ``pytest.mark.integration``, so
``-m integration`` and ``-m "not integration"`` select exactly the two tiers.

Integration, e2e and browser tests share the session's stacks (tests/stacks.py):
``stack`` is the embedded one; a test marked ``both_stores`` runs once on it and
once on the production path (``stack[postgres]``); ``replicas`` is the production
path itself, for the tests that only run there (its replicas, its stores, the
console in a browser). ``--stores`` keeps one half. The unit tier runs first,
while the stacks the session needs start.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from stack.isolated import IsolatedStack
from tests.duckling_fixtures import duckling_server  # noqa: F401
from tests.servicenow_fixtures import servicenow_emulator, servicenow_emulator_session  # noqa: F401
from tests.stacks import KINDS, QuickBench, SessionStacks
from tests.twilio_fixtures import (  # noqa: F401
    emulator,
    fake_channel,
    fake_channel_server,
    fresh_twilio_emulator,
    twilio_emulator,
)

TESTS = Path(__file__).parent
UNIT = TESTS / "unit"
STACKS = pytest.StashKey[SessionStacks]()


def pytest_configure(config: pytest.Config) -> None:
    """Temporary folders in memory (/dev/shm) when it has room: the stacks' and the unit
    tier's SQLite files commit thousands of times, and a commit there flushes no disk."""
    if config.option.basetemp or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    memory = Path("/dev/shm")
    if memory.is_dir() and os.access(memory, os.W_OK) and shutil.disk_usage(memory).free > 2**31:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(memory)  # read by pytest's tmp_path_factory


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stores",
        choices=("embedded", "postgres", "both"),
        default="both",
        help="postgres: only the tests on the production path; embedded: every other test; "
        "both (the default): all of them (make test runs the two halves at once)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fail the run when a test under tests/ is marked for the wrong tier; keep the
    tests of the stores asked for; run the unit tier first (the stacks start meanwhile)
    and the tests that take the production path apart last."""
    wrong = []
    for item in items:
        path = item.path
        if not path.is_relative_to(TESTS):
            continue
        marked = item.get_closest_marker("integration") is not None
        unit = path.is_relative_to(UNIT)
        # A unit test on a session stack would start processes, and one on the
        # production path would be left out of both halves of `make test`.
        if marked == unit or (unit and stacks_used(item)):
            wrong.append(item.nodeid)
    if wrong:
        raise pytest.UsageError(
            "tests/unit is never marked integration and takes no session stack (no fixture "
            "named stack or replicas); every other test under tests/ is marked integration: "
            + ", ".join(wrong[:5])
        )
    stores = config.getoption("stores")
    if stores != "both":
        config.hook.pytest_deselected(items=[i for i in items if on_stores(i) != stores])
        items[:] = [item for item in items if on_stores(item) == stores]
    items.sort(key=run_order)


def run_order(item: pytest.Item) -> tuple[bool, bool]:
    return not item.path.is_relative_to(UNIT), "replicas" in item.fixturenames


def stacks_used(item: pytest.Item) -> set[str]:
    """The kinds of session stack a test runs on."""
    used = set()
    if "stack" in item.fixturenames:
        callspec = getattr(item, "callspec", None)
        used.add(callspec.params.get("stack", "embedded") if callspec else "embedded")
    if "replicas" in item.fixturenames:
        used.add("postgres")
    return used


def on_stores(item: pytest.Item) -> str:
    """postgres for a test on the production path, embedded for every other test."""
    return "postgres" if stacks_used(item) == {"postgres"} else "embedded"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Spawn every stack the selected tests use, before the first test runs."""
    if session.config.option.collectonly:
        return
    stacks = SessionStacks(session.config._tmp_path_factory)
    session.config.stash[STACKS] = stacks
    used = set().union(*(stacks_used(item) for item in session.items))
    for kind in KINDS:
        if kind in used:
            stacks.start(kind)
    if any("quick_bench" in item.fixturenames for item in session.items):
        stacks.start_bench()


def pytest_sessionfinish(session: pytest.Session) -> None:
    stacks = session.config.stash.get(STACKS, None)
    if stacks is not None:
        stacks.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked ``both_stores`` runs on the embedded stack and on the production path."""
    if "stack" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_stores"):
        metafunc.parametrize("stack", KINDS, indirect=True)


@pytest.fixture
def session_stacks(request: pytest.FixtureRequest) -> SessionStacks:
    return request.config.stash[STACKS]


@pytest.fixture
def quick_bench(session_stacks: SessionStacks) -> QuickBench:
    """The session's ``python -m bench --quick`` run, started with the stacks."""
    return session_stacks.start_bench()


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> IsolatedStack:
    """The session's embedded stack (or, parametrized, the production path), healthy."""
    return request.config.stash[STACKS].get(getattr(request, "param", "embedded"))


@pytest.fixture
def replicas(request: pytest.FixtureRequest) -> IsolatedStack:
    """The production path: two Rasa replicas behind nginx on PostgreSQL and Redis."""
    return request.config.stash[STACKS].get("postgres")
