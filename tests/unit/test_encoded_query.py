"""ServiceNow encoded queries, parsed and evaluated as a pure function."""

from __future__ import annotations

import pytest

from emulators.servicenow import encoded_query as eq


def test_caret_or_binds_tighter_than_caret_and():
    query = eq.parse("a=1^b=2^ORc=3")
    assert query.queries == (
        (
            (eq.Condition("a", "=", "1"),),
            (eq.Condition("b", "=", "2"), eq.Condition("c", "=", "3")),
        ),
    )
    record = {"a": "1", "b": "0", "c": "3"}
    assert eq.matches(query, record.get)
    assert not eq.matches(query, {"a": "0", "b": "2", "c": "3"}.get)


def test_nq_starts_a_new_or_query():
    query = eq.parse("a=1^NQb=2")
    assert eq.matches(query, {"a": "0", "b": "2"}.get)
    assert not eq.matches(query, {"a": "0", "b": "0"}.get)


def test_invalid_fields_and_garbage_terms_are_dropped():
    query = eq.parse("emial=x^active=true^???^ORbogus=1", lambda f: f == "active")
    assert query.queries == ((((eq.Condition("active", "=", "true")),),),)


def test_order_terms_parse_in_sequence():
    query = eq.parse("active=true^ORDERBYDESCopened_at^ORDERBYnumber^EQ")
    assert query.ordering == (eq.Ordering("opened_at", True), eq.Ordering("number", False))


def test_dot_walked_field_and_spaced_operator_parse():
    assert eq.parse_condition("caller_id.email=a@b.c") == eq.Condition(
        "caller_id.email", "=", "a@b.c"
    )
    assert eq.parse_condition("short_descriptionNOT LIKEvpn") == eq.Condition(
        "short_description", "NOT LIKE", "vpn"
    )
    assert eq.parse_condition("no operator here") is None


@pytest.mark.parametrize(
    ("term", "value", "expected"),
    [
        ("f=abc", "ABC", True),
        ("f=abc", "abcd", False),
        ("f!=abc", "abd", True),
        ("f!=abc", "abc", False),
        ("fLIKEbc", "abcd", True),
        ("fLIKEzz", "abcd", False),
        ("fNOT LIKEzz", "abcd", True),
        ("fNOT LIKEbc", "abcd", False),
        ("fSTARTSWITHab", "abcd", True),
        ("fSTARTSWITHbc", "abcd", False),
        ("fENDSWITHcd", "abcd", True),
        ("fINx,abcd,y", "abcd", True),
        ("fINx,y", "abcd", False),
        ("fNOT INx,y", "abcd", True),
        ("fISEMPTY", "", True),
        ("fISEMPTY", "a", False),
        ("fISNOTEMPTY", "a", True),
        ("fISNOTEMPTY", "", False),
        ("f<10", "9", True),
        ("f>=10", "9", False),
        ("f>2025-01-01 00:00:00", "2025-02-01 00:00:00", True),
        ("fBETWEEN1@3", "2", True),
        ("fBETWEEN1@3", "4", False),
        ("fANYTHING", "", True),
    ],
)
def test_each_operator_evaluates(term, value, expected):
    query = eq.parse(term)
    assert eq.matches(query, {"f": value}.get) is expected


def test_sort_uses_first_ordering_as_primary_key():
    rows = [{"a": "1", "n": "2"}, {"a": "2", "n": "1"}, {"a": "1", "n": "3"}]
    ordering = (eq.Ordering("a", True), eq.Ordering("n", False))
    assert eq.sort(rows, ordering, lambda r, f: r[f]) == [rows[1], rows[0], rows[2]]
