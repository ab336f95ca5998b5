"""Stores: a configured store that is not there fails fast, in one line that names it."""

from __future__ import annotations

import time

import pytest

from settings import SettingsError, StoreSettings
from stack.processes import free_port
from stores.database import StoreUnreachable, check_lock_store, check_tracker_database


def settings(**env: str) -> StoreSettings:
    return StoreSettings.from_env({"STORE_CONNECT_TIMEOUT_SECONDS": "2", **env})


def test_the_default_is_an_embedded_sqlite_file_and_locks_in_memory() -> None:
    default = StoreSettings.from_env({})
    assert default.embedded
    assert default.tracker_store_url.endswith("var/tracker.sqlite3")
    assert default.lock_store_url == ""


def test_an_unreachable_database_fails_fast_naming_the_store_and_the_fix() -> None:
    url = f"postgresql://helpdesk:s3cret@127.0.0.1:{free_port()}/helpdesk_voice"
    started = time.monotonic()
    with pytest.raises(StoreUnreachable) as raised:
        check_tracker_database(settings(TRACKER_STORE_URL=url))
    assert time.monotonic() - started < 10
    message = str(raised.value)
    assert "tracker store" in message and "TRACKER_STORE_URL" in message
    assert "s3cret" not in message and "\n" not in message


def test_an_unreachable_redis_fails_fast_naming_the_store_and_the_fix() -> None:
    started = time.monotonic()
    with pytest.raises(StoreUnreachable) as raised:
        check_lock_store(settings(LOCK_STORE_URL=f"redis://127.0.0.1:{free_port()}/0"))
    assert time.monotonic() - started < 10
    assert "lock store" in str(raised.value) and "LOCK_STORE_URL" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("TRACKER_STORE_URL", "helpdesk.db"), ("LOCK_STORE_URL", "memcached://127.0.0.1")],
)
def test_a_malformed_store_url_is_a_clear_settings_error(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        StoreSettings.from_env({name: value})
