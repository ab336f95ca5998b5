"""Writers of one SQLite file queue in the process; a server database takes them in parallel."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import sqlalchemy as sa

from stores.database import writing


def test_one_sqlite_file_has_one_writer_at_a_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    first, second = sa.create_engine(url), sa.create_engine(url)
    lock = writing(first)
    assert isinstance(lock, type(threading.Lock()))
    assert writing(second) is lock
    assert writing(sa.create_engine(f"sqlite:///{tmp_path / 'events.sqlite3'}")) is not lock


def test_a_server_database_takes_writers_in_parallel() -> None:
    engine = sa.create_engine("postgresql://helpdesk@127.0.0.1:5432/helpdesk_voice")
    assert isinstance(writing(engine), contextlib.nullcontext)
