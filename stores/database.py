"""One SQLAlchemy engine per database URL, checked fast and created if missing."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import ContextManager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import QueuePool

from settings import StoreSettings, redact_url

logger = logging.getLogger(__name__)
_WRITERS: dict[str, threading.Lock] = {}
# The project's own tables, beside Rasa's in the tracker store's database; each
# is declared by the one module that reads and writes it.
metadata = sa.MetaData()


def call_table(name: str, key: str, call_column: str, *columns: sa.Column) -> sa.Table:
    """A table of rows that each belong to one call, found by the call's SID."""
    return sa.Table(
        name,
        metadata,
        sa.Column(key, sa.String(128), primary_key=True),
        sa.Column(call_column, sa.String(64), nullable=False, index=True),
        *columns,
    )


def create_table(engine: Engine, table: sa.Table) -> None:
    table.create(engine, checkfirst=True)


class StoreUnreachable(RuntimeError):
    """A configured store cannot be reached; the message names it and the fix."""


def _connect_args(url: str, timeout: float) -> dict[str, object]:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return {"timeout": 15, "check_same_thread": False}
    if backend == "postgresql":
        return {"connect_timeout": max(1, int(timeout))}
    return {}


def _prepare_sqlite(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        from pathlib import Path

        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _create_postgres_database(url: str, timeout: float) -> None:
    """Creates the database named in ``url`` (PostgreSQL), as Rasa's login_db would."""
    target = make_url(url)
    admin = sa.create_engine(
        target.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        connect_args=_connect_args(url, timeout),
    )
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).scalar()
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def check_tracker_database(settings: StoreSettings) -> None:
    """Connects once within the timeout; creates a missing PostgreSQL database."""
    url = settings.tracker_store_url
    if make_url(url).get_backend_name() == "sqlite":
        _prepare_sqlite(url)
    probe = sa.create_engine(url, connect_args=_connect_args(url, settings.connect_timeout_seconds))
    try:
        with probe.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        if "does not exist" in str(error) and make_url(url).get_backend_name() == "postgresql":
            try:
                _create_postgres_database(url, settings.connect_timeout_seconds)
                return
            except sa.exc.SQLAlchemyError as create_error:
                error = create_error  # type: ignore[assignment]
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise StoreUnreachable(
            f"tracker store {redact_url(url)} is unreachable ({reason}); "
            "start it or fix TRACKER_STORE_URL (empty means the embedded SQLite file)"
        ) from None
    finally:
        probe.dispose()


def check_lock_store(settings: StoreSettings) -> None:
    """Pings Redis within the timeout when a lock store URL is configured."""
    if not settings.lock_store_url:
        return
    import redis

    client = redis.Redis.from_url(
        settings.lock_store_url,
        socket_connect_timeout=settings.connect_timeout_seconds,
        socket_timeout=settings.connect_timeout_seconds,
    )
    try:
        client.ping()
    except redis.RedisError as error:
        raise StoreUnreachable(
            f"lock store {redact_url(settings.lock_store_url)} is unreachable ({error}); "
            "start Redis or fix LOCK_STORE_URL (empty means in memory, one Rasa process)"
        ) from None
    finally:
        client.close()


@lru_cache(maxsize=4)
def engine_for(url: str, timeout: float = 3.0) -> Engine:
    """The process's engine for ``url``.

    SQLite gets WAL, so two processes can share the file, with
    ``synchronous=NORMAL``: a commit no longer waits for the disk (an operating
    system crash may lose the last commits, a process crash loses nothing).
    Its connections are pooled: SQLAlchemy 1.4 opens a new one per session for
    a file (NullPool), and closing the last connection checkpoints the WAL, so
    every commit cost tens of milliseconds of disk waits.
    """
    sqlite = make_url(url).get_backend_name() == "sqlite"
    if sqlite:
        _prepare_sqlite(url)
    engine = sa.create_engine(
        url,
        pool_pre_ping=not sqlite,  # a file cannot drop a connection; a server can
        connect_args=_connect_args(url, timeout),
        future=True,
        **({"poolclass": QueuePool} if sqlite else {}),
    )
    if sqlite:

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()

    return engine


def open_database(settings: StoreSettings) -> Engine:
    """The tracker database's engine, after checking it (and creating it if missing)."""
    check_tracker_database(settings)
    return engine_for(settings.tracker_store_url, settings.connect_timeout_seconds)


def delete_older_than(engine: Engine, stamp: sa.Column, seconds: float) -> int:
    """Deletes the rows of ``stamp``'s table stamped (epoch seconds) before ``seconds`` ago."""
    cutoff = time.time() - seconds
    with write_transaction(engine) as connection:
        return connection.execute(stamp.table.delete().where(stamp < cutoff)).rowcount


def writing(engine: Engine) -> ContextManager[object]:
    """Hold while writing (or use write_transaction): one write at a time per SQLite file
    in this process.

    SQLite lets one writer in and makes the others sleep and retry (1, 2, 5, 10,
    ... 100 ms); threads of one process queue here instead and go on as soon as the
    writer before them commits. A server database takes writers in parallel.
    """
    if engine.url.get_backend_name() != "sqlite":
        return contextlib.nullcontext()
    return _WRITERS.setdefault(str(engine.url), threading.Lock())


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` for a transaction that writes, queued behind this process's
    other writers of the same SQLite file (:func:`writing`)."""
    with writing(engine), engine.begin() as connection:
        yield connection
