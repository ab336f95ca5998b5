"""Parse and evaluate ServiceNow encoded queries (``sysparm_query``).

A pure module: it knows the grammar, not the tables. Callers pass a predicate
that says which field paths exist (invalid ones are silently dropped, as
ServiceNow does by default) and a lookup that reads a field path of a record.

Grammar handled: ``^`` (AND), ``^OR`` (OR, binds tighter than AND), ``^NQ``
(a new OR'ed query), ``ORDERBY<f>`` / ``ORDERBYDESC<f>``, ``EQ`` (ignored), and
the operators ``= != LIKE NOT LIKE STARTSWITH ENDSWITH IN NOT IN ISEMPTY
ISNOTEMPTY ANYTHING < <= > >= BETWEEN a@b``. Field paths may dot-walk
(``caller_id.email``). Text comparisons ignore letter case, like the database
collation of a real instance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, TypeVar

# Longest first, so "NOT LIKE" wins over nothing and "<=" over "<".
OPERATORS = (
    "ISNOTEMPTY",
    "ISEMPTY",
    "ANYTHING",
    "STARTSWITH",
    "ENDSWITH",
    "NOT LIKE",
    "NOT IN",
    "BETWEEN",
    "LIKE",
    "IN",
    "!=",
    "<=",
    ">=",
    "=",
    "<",
    ">",
)
_FIELD = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")

T = TypeVar("T")


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: str


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool


@dataclass(frozen=True)
class EncodedQuery:
    """``queries`` are OR'ed (``^NQ``); each is an AND of OR-clauses."""

    queries: tuple[tuple[tuple[Condition, ...], ...], ...] = ()
    ordering: tuple[Ordering, ...] = ()


def parse_condition(term: str) -> Condition | None:
    """``caller_id.email=x`` -> Condition; None when the term is not a condition."""
    match = _FIELD.match(term)
    if match is None:
        return None
    field, rest = match.group(0), term[match.end() :]
    for operator in OPERATORS:
        if rest.startswith(operator):
            return Condition(field, operator, rest[len(operator) :])
    return None


def parse(text: str, is_valid_field: Callable[[str], bool] = lambda _: True) -> EncodedQuery:
    """Parse an encoded query; unknown fields and unparsable terms are dropped."""
    queries: list[list[list[Condition]]] = [[]]
    ordering: list[Ordering] = []
    for term in (text or "").split("^"):
        if term in ("", "EQ") or term.startswith("GROUPBY"):
            continue
        if term.startswith("ORDERBY"):
            descending = term.startswith("ORDERBYDESC")
            field = term[len("ORDERBYDESC") :] if descending else term[len("ORDERBY") :]
            if is_valid_field(field):
                ordering.append(Ordering(field, descending))
            continue
        joins_or = False
        if term.startswith("NQ"):
            queries.append([])
            term = term[2:]
        elif term.startswith("OR"):
            joins_or, term = True, term[2:]
        condition = parse_condition(term)
        if condition is None or not is_valid_field(condition.field):
            continue
        clauses = queries[-1]
        if joins_or and clauses:
            clauses[-1].append(condition)
        else:
            clauses.append([condition])
    frozen = tuple(tuple(tuple(clause) for clause in q) for q in queries if q)
    return EncodedQuery(frozen, tuple(ordering))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(left: str, right: str) -> int:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    x, y = left.lower(), right.lower()
    return (x > y) - (x < y)


def condition_holds(condition: Condition, actual: str) -> bool:
    """Evaluate one condition against the stored value of its field."""
    op, expected = condition.operator, condition.value
    have, want = actual.lower(), expected.lower()
    if op == "=":
        return have == want
    if op == "!=":
        return have != want
    if op == "LIKE":
        return want in have
    if op == "NOT LIKE":
        return want not in have
    if op == "STARTSWITH":
        return have.startswith(want)
    if op == "ENDSWITH":
        return have.endswith(want)
    if op in ("IN", "NOT IN"):
        inside = have in [item.strip().lower() for item in expected.split(",")]
        return inside if op == "IN" else not inside
    if op == "ISEMPTY":
        return actual.strip() == ""
    if op == "ISNOTEMPTY":
        return actual.strip() != ""
    if op == "ANYTHING":
        return True
    if op == "BETWEEN":
        low, _, high = expected.partition("@")
        return actual != "" and _compare(actual, low) >= 0 and _compare(actual, high) <= 0
    if actual == "":
        return False
    order = _compare(actual, expected)
    return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


def matches(query: EncodedQuery, lookup: Callable[[str], str]) -> bool:
    """True when the record read through ``lookup`` satisfies ``query``."""
    if not query.queries:
        return True
    return any(
        all(any(condition_holds(c, lookup(c.field)) for c in clause) for clause in q)
        for q in query.queries
    )


def _sort_key(value: str) -> tuple[int, float, str]:
    number = _number(value)
    if number is not None:
        return (1, number, "")
    return (0 if value == "" else 2, 0.0, value.lower())


def sort(
    items: Iterable[T], ordering: Sequence[Ordering], lookup: Callable[[T, str], str]
) -> list[T]:
    """Stable multi-key sort: the first ORDERBY term is the primary key."""
    result = list(items)
    for order in reversed(ordering):
        result.sort(key=lambda item: _sort_key(lookup(item, order.field)), reverse=order.descending)
    return result
