"""ServiceNow encoded queries, evaluated by SQLite over an in-memory table."""

from __future__ import annotations

import pytest

from emulators.servicenow.tables import Tables, encoded_query


@pytest.fixture(scope="module")
def tables() -> Tables:
    tables = Tables(":memory:", "admin")
    for name, email, phone in [
        ("a", "a_b@x.com", "1"),
        ("b", "AB%c@y.org", ""),
        ("c", "c@x.com", "3"),
    ]:
        tables.create("sys_user", {"user_name": name, "email": email, "phone": phone})
    return tables


def names(tables: Tables, query: str) -> list[str]:
    return [row["user_name"] for row in tables.rows("sys_user", query)]


def test_caret_or_binds_tighter_than_caret_and(tables: Tables) -> None:
    assert names(tables, "user_name=a^phone=3^ORphone=1") == ["a"]
    assert names(tables, "phone=3^ORuser_name=b^ORDERBYDESCuser_name") == ["c", "b"]


def test_invalid_fields_and_garbage_terms_are_dropped() -> None:
    where, params, order = encoded_query("sys_user", "emial=x^active=true^???^ORDERBYbogus")
    assert (where, params, order) == ("(active = ? COLLATE NOCASE)", ["true"], "seq")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("email=C@X.COM", ["c"]),
        ("emailLIKEx.c", ["a", "c"]),
        ("emailLIKE_", ["a"]),  # "_" and "%" are literal characters, not wildcards
        ("emailLIKE%", ["b"]),
        ("emailSTARTSWITHab", ["b"]),
        ("emailENDSWITH.org", ["b"]),
        ("user_nameINa, c", ["a", "c"]),
    ],
)
def test_each_operator_ignores_letter_case(tables: Tables, query: str, expected: list[str]) -> None:
    assert names(tables, query) == expected
