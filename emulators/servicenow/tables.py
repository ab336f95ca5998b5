"""The emulated tables in SQLite: their fields, what the platform does on insert and update,
encoded queries, and records rendered the way the Table API answers.

Only what the assistant and its tests touch: ``incident`` and ``sys_user``, one
SQLite table each (every field TEXT: the API's values are strings) and one
journal for work notes and comments. Choice labels are a stock instance's.
Encoded queries become SQL: ``^`` is AND, ``^OR`` OR (binding tighter),
``ORDERBY<f>`` / ``ORDERBYDESC<f>`` sort; text compares ignore letter case, like
an instance's collation; terms on unknown fields are dropped, as ServiceNow does.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path

STATES = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed",
          "8": "Canceled"}  # fmt: skip
LEVELS = {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"}
PRIORITIES = {"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low",
              "5": "5 - Planning"}  # fmt: skip
SYSTEM = ("sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by",
          "sys_mod_count")  # fmt: skip
USER_MORE = ("employee_number", "active", *SYSTEM)
# table -> field -> its choice labels, the table it references, or None (plain text)
FIELDS: dict[str, dict[str, dict[str, str] | str | None]] = {
    "incident": {
        **dict.fromkeys(("number", "short_description", "description", "active", "opened_at")),
        "caller_id": "sys_user",
        "opened_by": "sys_user",
        "state": STATES,
        "impact": LEVELS,
        "urgency": LEVELS,
        "priority": PRIORITIES,
        "contact_type": {"phone": "Phone", "email": "Email", "self-service": "Self-service"},
        # correlation_*: set by an integration to find its own records again (idempotent creates)
        **dict.fromkeys(("close_code", "close_notes", "correlation_id", "correlation_display")),
        **dict.fromkeys(SYSTEM),
    },
    "sys_user": dict.fromkeys(
        (*"user_name name first_name last_name email phone mobile_phone".split(), *USER_MORE)
    ),
}
JOURNALS = {"work_notes": "Work notes", "comments": "Additional comments"}  # on incidents
DISPLAY_FIELD = {"incident": "number", "sys_user": "name"}
FIRST_INCIDENT_NUMBER = 10001
_SYS_ID = re.compile(r"^[0-9a-f]{32}$")
_TERM = re.compile(r"([a-z_]+)(STARTSWITH|ENDSWITH|LIKE|IN|=)(.*)")
_LIKE = r" ESCAPE '\'"
# operator -> SQL over column {c}; SQLite's LIKE ignores ASCII letter case already
OPERATORS = {
    "STARTSWITH": "{c} LIKE ? || '%'" + _LIKE,
    "ENDSWITH": "{c} LIKE '%' || ?" + _LIKE,
    "LIKE": "{c} LIKE '%' || ? || '%'" + _LIKE,
    "IN": "{c} COLLATE NOCASE IN ({marks})",
    "=": "{c} = ? COLLATE NOCASE",
}


def now_utc() -> str:
    """The current time as ServiceNow stores it: ``YYYY-MM-DD HH:MM:SS`` in UTC."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _condition(table: str, term: str) -> tuple[str, list[str]] | None:
    match = _TERM.fullmatch(term)
    if match is None or match[1] not in FIELDS[table]:
        return None
    field, operator, value = match.groups()
    if operator == "IN":
        values = [item.strip() for item in value.split(",")]
    elif operator == "=":
        values = [value]
    else:
        values = [re.sub(r"([\\%_])", r"\\\1", value)]
    sql = OPERATORS[operator].format(c=field, marks=", ".join("?" * len(values)))
    return sql, values


def encoded_query(table: str, query: str) -> tuple[str, list[str], str]:
    """(WHERE clause, its parameters, ORDER BY clause) for ``sysparm_query``."""
    clauses: list[list[tuple[str, list[str]]]] = []
    order = []
    for term in (query or "").split("^"):
        if term.startswith("ORDERBY"):
            descending = term.startswith("ORDERBYDESC")
            field = term[len("ORDERBYDESC") :] if descending else term[len("ORDERBY") :]
            if field in FIELDS[table]:
                order.append(f"{field} DESC" if descending else field)
            continue
        joins_or = term.startswith("OR")
        condition = _condition(table, term[2:] if joins_or else term)
        if condition is None:
            continue
        if joins_or and clauses:
            clauses[-1].append(condition)
        else:
            clauses.append([condition])
    where = " AND ".join("(" + " OR ".join(sql for sql, _ in c) + ")" for c in clauses)
    params = [value for clause in clauses for _, values in clause for value in values]
    return where or "1", params, ", ".join([*order, "seq"])


def _text(raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return "" if raw is None else str(raw)


def _platform_rules(record: dict[str, str]) -> None:
    """An incident's ``active`` follows its state; ``priority`` is computed from impact and
    urgency (the client's is ignored), as the stock priority lookup rules do."""
    record["active"] = "false" if record["state"] in ("6", "7", "8") else "true"
    record["impact"], record["urgency"] = record["impact"] or "3", record["urgency"] or "3"
    record["priority"] = str(min(5, max(1, int(record["impact"]) + int(record["urgency"]) - 1)))


class Tables:
    """The tables in one SQLite file, written as the API user ``user_name``."""

    def __init__(self, path: Path | str, user_name: str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One connection, used from the server's single event-loop thread.
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.user_name = user_name
        for table, fields in FIELDS.items():
            columns = ", ".join(f"{name} TEXT NOT NULL DEFAULT ''" for name in fields)
            self.db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (seq INTEGER PRIMARY KEY, {columns})"
            )
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, sys_id TEXT, "
            "element TEXT, value TEXT, created_on TEXT, created_by TEXT)"
        )

    def close(self) -> None:
        self.db.close()

    def wipe(self) -> None:
        for table in (*FIELDS, "journal"):
            self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - a fixed table name

    def rows(self, table: str, query: str = "", limit: int = 10000) -> list[dict[str, str]]:
        """The records matching an encoded query, in its order (then insertion order)."""
        where, params, order = encoded_query(table, query)
        sql = f"SELECT * FROM {table} WHERE {where} ORDER BY {order} LIMIT ?"  # noqa: S608 - names from FIELDS, values bound
        return [
            {k: row[k] for k in FIELDS[table]} for row in self.db.execute(sql, [*params, limit])
        ]

    def get(self, table: str, sys_id: str) -> dict[str, str] | None:
        found = self.rows(table, f"sys_id={sys_id}", 1) if "^" not in sys_id else []
        return found[0] if found else None

    def _split(self, table: str, payload: dict[str, object]) -> tuple[dict, dict]:
        """(field values, journal entries) of a client payload; unknown and system-managed
        fields are ignored (a valid ``sys_id`` may be given on insert)."""
        values, notes = {}, {}
        for name, raw in payload.items():
            if table == "incident" and name in JOURNALS and _text(raw).strip():
                notes[name] = _text(raw)
            elif name in FIELDS[table] and name not in SYSTEM[1:]:
                values[name] = _text(raw)
        return values, notes

    def _write(self, sys_id: str, notes: dict[str, str], now: str) -> None:
        self.db.executemany(
            "INSERT INTO journal (sys_id, element, value, created_on, created_by) "
            "VALUES (?, ?, ?, ?, ?)",
            [(sys_id, element, text, now, self.user_name) for element, text in notes.items()],
        )

    def create(
        self, table: str, payload: dict[str, object], now: str = "", number: str = ""
    ) -> dict[str, str]:
        """Insert a record, defaults filled in; ``now`` and ``number`` are for seed data."""
        now = now or now_utc()
        values, notes = self._split(table, payload)
        record = {**dict.fromkeys(FIELDS[table], ""), **values}
        record["active"] = record["active"] or "true"
        if not _SYS_ID.match(record["sys_id"]):
            record["sys_id"] = uuid.uuid4().hex
        record.update(sys_created_on=now, sys_updated_on=now, sys_mod_count="0")
        record.update(sys_created_by=self.user_name, sys_updated_by=self.user_name)
        if table == "incident":
            if not number:
                (last,) = self.db.execute(
                    "SELECT MAX(CAST(SUBSTR(number, 4) AS INT)) FROM incident"
                ).fetchone()
                number = f"INC{max(FIRST_INCIDENT_NUMBER, (last or 0) + 1):07d}"
            api_user = self.rows("sys_user", f"user_name={self.user_name}", 1)
            record["number"] = number
            record["opened_by"] = record["opened_by"] or (api_user[0]["sys_id"] if api_user else "")
            record["opened_at"] = record["opened_at"] or now
            record["state"] = record["state"] or "1"
            _platform_rules(record)
        names = ", ".join(record)
        marks = ", ".join("?" * len(record))
        self.db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(record.values()))  # noqa: S608
        self._write(record["sys_id"], notes, now)
        return record

    def update(self, table: str, sys_id: str, payload: dict[str, object]) -> dict[str, str] | None:
        """The record with ``payload`` applied (its sys_id and number stay), or None."""
        record = self.get(table, sys_id)
        if record is None:
            return None
        now = now_utc()
        values, notes = self._split(table, payload)
        values = {k: v for k, v in values.items() if k not in ("sys_id", "number")}
        record.update(values, sys_updated_on=now, sys_updated_by=self.user_name)
        record["sys_mod_count"] = str(int(record["sys_mod_count"] or 0) + 1)
        if table == "incident":
            _platform_rules(record)
        assignments = ", ".join(f"{name} = ?" for name in record)
        self.db.execute(
            f"UPDATE {table} SET {assignments} WHERE sys_id = ?",  # noqa: S608
            [*record.values(), sys_id],
        )
        self._write(sys_id, notes, now)
        return record

    def journal_text(self, sys_id: str, element: str) -> str:
        """Journal entries newest first, each headed like the platform's display value."""
        names = dict(self.db.execute("SELECT user_name, name FROM sys_user").fetchall())
        rows = self.db.execute(
            "SELECT created_on, created_by, value FROM journal WHERE sys_id = ? AND element = ? "
            "ORDER BY created_on DESC, seq DESC",
            (sys_id, element),
        )
        return "\n\n".join(
            f"{on} - {names.get(by, by)} ({JOURNALS[element]})\n{text}" for on, by, text in rows
        )

    def render(
        self,
        table: str,
        record: dict[str, str],
        mode: str,
        fields: list[str],
        links: bool,
        base: str,
    ) -> dict[str, object]:
        """A record as the API shows it (``fields``: all when empty). ``mode`` is
        ``sysparm_display_value``: false (stored values), true (labels and names) or all
        (both); references carry a ``link`` unless ``links`` is off; journal fields read
        back as ``""`` unless display values are asked for."""
        shown: dict[str, object] = {}
        for name in fields or [*FIELDS[table], *(JOURNALS if table == "incident" else ())]:
            kind = FIELDS[table].get(name)
            raw = record.get(name, "")
            display = raw
            if mode != "false" and name in JOURNALS:
                display = self.journal_text(record["sys_id"], name)
            elif mode != "false" and isinstance(kind, dict):
                display = kind.get(raw, raw)
            elif mode != "false" and isinstance(kind, str):
                target = self.get(kind, raw) if raw else None
                display = target[DISPLAY_FIELD[kind]] if target else ""
            if isinstance(kind, str) and raw:
                link = {"link": f"{base}/api/now/table/{kind}/{raw}"} if links else {}
                if mode == "false":
                    shown[name] = {**link, "value": raw} if links else raw
                elif mode == "true":
                    shown[name] = {"display_value": display, **link} if links else display
                else:
                    shown[name] = {"display_value": display, **link, "value": raw}
            else:
                shown[name] = {"display_value": display, "value": raw} if mode == "all" else display
        return shown
