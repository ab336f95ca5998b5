"""The assistant's one door to ServiceNow: a thin typed client over pysnow 0.7.17.

Why it exists: pysnow blocks, shares query parameters between calls on one
resource (issue #195), waits 60 s by default and lets raw ``requests``/pysnow
exceptions escape. Actions need something a phone call can live with, so this
module builds a fresh client per call with the configured timeout, runs it in a
thread so the action server's event loop never blocks, builds encoded queries
with pysnow's QueryBuilder from validated values only, turns every failure into
``ServiceNowUnavailable`` (try later) or ``ServiceNowRejected`` (our request or
credentials are wrong), and returns dataclasses whose state and priority are
words ready to be spoken.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Sequence, TypeVar

import pysnow
import requests
from pysnow.exceptions import PysnowException

from settings import ServiceNowSettings
from telephony.e164 import to_e164

logger = logging.getLogger(__name__)

# Caller's words -> (urgency, impact); ServiceNow computes priority 2 High / 3 Moderate / 4 Low.
PRIORITY_TO_URGENCY_IMPACT = {"high": (1, 2), "medium": (2, 2), "low": (3, 2)}
STATE_WORDS = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed",
               "8": "Canceled"}  # fmt: skip
PRIORITY_WORDS = {"1": "Critical", "2": "High", "3": "Moderate", "4": "Low", "5": "Planning"}
USER_FIELDS = ["sys_id", "name", "email", "user_name"]
INCIDENT_FIELDS = ["sys_id", "number", "short_description", "state", "priority", "opened_at",
                   "active"]  # fmt: skip
_SYS_ID = re.compile(r"^[0-9a-f]{32}$")
_INCIDENT_NUMBER = re.compile(r"^INC\d{7,}$")
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9:._-]{1,100}$")
CORRELATION_DISPLAY = "helpdesk-voice"
_LABEL_PREFIX = re.compile(r"^\d+ - ")
# Encoded queries have no escape for "^"; "," splits IN lists. Values holding them are refused.
_QUERY_BREAKERS = frozenset("^,\r\n")
# Directory fields the caller-ID and keypad lookups compare locally.
CONTACT_FIELDS = [*USER_FIELDS, "phone", "mobile_phone", "employee_number"]
_EMPLOYEE_NUMBER = re.compile(r"^\d{3,12}$")
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
MAX_DOMAIN_CANDIDATES = 500
T = TypeVar("T")


@dataclass(frozen=True)
class ServiceNowUser:
    sys_id: str
    name: str
    email: str
    user_name: str


@dataclass(frozen=True)
class Incident:
    sys_id: str
    number: str
    short_description: str
    state: str  # word: "New", "In Progress", ...
    priority: str  # word, e.g. "High"
    opened_at: datetime  # UTC, aware
    active: bool


class ServiceNowError(Exception):
    """Base of this client's errors; ``str()`` is safe to log (no credentials)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ServiceNowUnavailable(ServiceNowError):
    """ServiceNow could not answer now: timeout, no connection, 5xx, 429, not JSON."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        maybe_committed: bool = False,
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after
        # The request reached ServiceNow but no answer came back: a write may exist.
        self.maybe_committed = maybe_committed


class ServiceNowRejected(ServiceNowError):
    """ServiceNow refused the request (4xx other than 429): credentials, input, ACLs."""

    def __init__(self, message: str, *, status: int, api_message: str = "") -> None:
        super().__init__(message, status=status)
        self.api_message = api_message


def _translate(exc: Exception, what: str) -> ServiceNowError:
    """One of our exception types for whatever pysnow or requests raised."""
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        response, status, message = exc.response, exc.response.status_code, ""
        with contextlib.suppress(ValueError, KeyError, TypeError):
            message = str(response.json()["error"]["message"])
        said = f"HTTP {status}" + (f": {message}" if message else "")
        if status == 429:
            retry = response.headers.get("Retry-After", "")
            retry = float(retry) if retry.replace(".", "", 1).isdigit() else None
            return ServiceNowUnavailable(
                f"{what}: ServiceNow is rate limiting us ({said})", status=status, retry_after=retry
            )
        if status >= 500:
            return ServiceNowUnavailable(f"{what}: ServiceNow failed ({said})", status=status)
        return ServiceNowRejected(
            f"{what}: ServiceNow rejected the request ({said})", status=status, api_message=message
        )
    if isinstance(exc, (requests.exceptions.JSONDecodeError, json.JSONDecodeError)):
        return ServiceNowUnavailable(
            f"{what}: ServiceNow answered with something that is not JSON "
            "(a hibernating instance serves an HTML page)"
        )
    if isinstance(exc, requests.ConnectTimeout):
        return ServiceNowUnavailable(f"{what}: cannot connect to ServiceNow in time")
    if isinstance(exc, requests.Timeout):
        return ServiceNowUnavailable(
            f"{what}: ServiceNow did not answer in time", maybe_committed=True
        )
    if isinstance(exc, requests.ConnectionError):
        refused = "refused" in str(exc).lower() or "NewConnectionError" in str(exc)
        return ServiceNowUnavailable(
            f"{what}: cannot connect to ServiceNow"
            if refused
            else f"{what}: ServiceNow closed the connection without an answer",
            maybe_committed=not refused,
        )
    if isinstance(exc, PysnowException):
        return ServiceNowUnavailable(f"{what}: unexpected answer from ServiceNow ({exc})")
    return ServiceNowUnavailable(f"{what}: request failed ({type(exc).__name__})")


def _value(record: dict[str, Any], name: str) -> str:
    raw = record.get(name, "")
    if isinstance(raw, dict):
        raw = raw.get("value", "")
    return "" if raw is None else str(raw)


def _word(record: dict[str, Any], name: str, words: dict[str, str]) -> str:
    """The spoken word of a choice field read with display_value=all (or plain)."""
    value, raw = _value(record, name), record.get(name, "")
    label = str(raw.get("display_value") or "") if isinstance(raw, dict) else ""
    label = _LABEL_PREFIX.sub("", label).strip()
    return label if label and label != value else words.get(value, value)


def _user(record: dict[str, Any]) -> ServiceNowUser:
    return ServiceNowUser(*(_value(record, name) for name in USER_FIELDS))


def _incident(record: dict[str, Any]) -> Incident:
    try:
        opened = datetime.strptime(_value(record, "opened_at"), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise ServiceNowUnavailable(
            "ServiceNow sent an incident without a valid opened_at"
        ) from None
    return Incident(
        sys_id=_value(record, "sys_id"),
        number=_value(record, "number"),
        short_description=_value(record, "short_description"),
        state=_word(record, "state", STATE_WORDS),
        priority=_word(record, "priority", PRIORITY_WORDS),
        opened_at=opened.replace(tzinfo=timezone.utc),
        active=_value(record, "active").lower() == "true",
    )


def _check_sys_id(sys_id: str, what: str) -> str:
    if not isinstance(sys_id, str) or not _SYS_ID.match(sys_id):
        raise ValueError(f"{what} must be a 32-character lower-case hex sys_id")
    return sys_id


def _check_correlation_id(correlation_id: str) -> str:
    if not isinstance(correlation_id, str) or not _CORRELATION_ID.match(correlation_id):
        raise ValueError("correlation_id must be 1-100 letters, digits or :._-")
    return correlation_id


class ServiceNowClient:
    """Async methods for the helpdesk's ServiceNow needs; one pysnow client per call."""

    def __init__(self, settings: ServiceNowSettings) -> None:
        self._settings = settings

    @property
    def timeout_seconds(self) -> float:
        return self._settings.timeout_seconds

    def _client(self) -> pysnow.Client:
        s = self._settings
        if s.instance:
            return pysnow.Client(
                instance=s.instance, user=s.user, password=s.password, use_ssl=s.use_ssl
            )
        return pysnow.Client(host=s.host, user=s.user, password=s.password, use_ssl=s.use_ssl)

    async def _run(self, what: str, table: str, work: Callable[[Any], T]) -> T:
        """Run ``work(resource)`` in a thread on a fresh client; translate every failure."""

        def blocking() -> T:
            with self._client() as client:
                resource = client.resource(
                    api_path=f"/table/{table}", timeout=self._settings.timeout_seconds
                )
                return work(resource)

        try:
            return await asyncio.to_thread(blocking)
        except (requests.RequestException, PysnowException, json.JSONDecodeError) as exc:
            error = _translate(exc, what)
            logger.warning("%s", error)
            raise error from exc

    async def _get(
        self, what: str, table: str, query: Any, fields: list[str], limit: int, display: Any = False
    ) -> list[dict[str, Any]]:
        """One GET of up to ``limit`` records (pysnow sends all sysparms on every GET)."""

        def work(resource: Any) -> list[dict[str, Any]]:
            return resource.get(
                query=query, fields=fields, limit=max(1, limit), display_value=display
            ).all()

        return await self._run(what, table, work)

    async def find_users_by_email(self, email: str, limit: int = 5) -> list[ServiceNowUser]:
        """Active users whose email is exactly ``email`` (letter case ignored)."""
        wanted = email.strip().lower()
        if not wanted or _QUERY_BREAKERS.intersection(wanted):
            return []  # cannot be an address we could query safely
        query = (
            pysnow.QueryBuilder()
            .field("email").equals(wanted)
            .AND().field("active").equals("true")
        )  # fmt: skip
        rows = await self._get("user lookup", "sys_user", query, USER_FIELDS, limit)
        users = [_user(r) for r in rows]
        return [u for u in users if u.email.lower() == wanted][:limit]

    async def create_incident(
        self,
        *,
        short_description: str,
        description: str,
        caller_sys_id: str | None,
        priority: str,
        correlation_id: str | None = None,
    ) -> Incident:
        """Open an incident; ``priority`` is the caller's word: high, medium or low.

        ``correlation_id`` marks the request the incident answers, so that after a
        timeout ``find_incident_by_correlation`` tells whether it was created.
        """
        key = priority.strip().lower()
        if key not in PRIORITY_TO_URGENCY_IMPACT:
            raise ValueError(f"priority must be one of {sorted(PRIORITY_TO_URGENCY_IMPACT)}")
        urgency, impact = PRIORITY_TO_URGENCY_IMPACT[key]
        payload = {
            "short_description": short_description,
            "description": description,
            "urgency": str(urgency),
            "impact": str(impact),
            "contact_type": "phone",
        }
        if caller_sys_id is not None:
            payload["caller_id"] = _check_sys_id(caller_sys_id, "caller_sys_id")
        if correlation_id is not None:
            payload["correlation_id"] = _check_correlation_id(correlation_id)
            payload["correlation_display"] = CORRELATION_DISPLAY

        def work(resource: Any) -> dict[str, Any]:
            resource.parameters.display_value = "all"
            resource.parameters.exclude_reference_link = True
            resource.parameters.fields = INCIDENT_FIELDS
            return resource.create(payload=payload).one()

        return _incident(await self._run("create incident", "incident", work))

    async def incidents_for_callers(
        self, caller_sys_ids: Sequence[str], limit: int = 5
    ) -> list[Incident]:
        """The callers' incidents, active ones first, then newest first."""
        ids = list(dict.fromkeys(_check_sys_id(s, "caller sys_id") for s in caller_sys_ids))
        if not ids:
            return []
        query = (
            pysnow.QueryBuilder()
            .field("caller_id").equals(ids)
            .AND().field("active").order_descending()
            .AND().field("opened_at").order_descending()
            .AND().field("number").order_descending()
        )  # fmt: skip
        rows = await self._get("list incidents", "incident", query, INCIDENT_FIELDS, limit, "all")
        found = [_incident(r) for r in rows]
        found.sort(key=lambda i: (not i.active, -i.opened_at.timestamp()))
        return found[:limit]

    async def find_incident_by_correlation(self, correlation_id: str) -> Incident | None:
        """The incident created for this request key, if ServiceNow has one."""
        wanted = _check_correlation_id(correlation_id)
        query = pysnow.QueryBuilder().field("correlation_id").equals(wanted)
        rows = await self._get("find incident", "incident", query, INCIDENT_FIELDS, 1, "all")
        return _incident(rows[0]) if rows else None

    async def get_incident(self, number: str) -> Incident | None:
        """The incident with this number (``INC0010001``, or just ``10001``), if any."""
        wanted = re.sub(r"\s+", "", number).upper()
        if wanted.isdigit():
            wanted = f"INC{int(wanted):07d}"
        if not _INCIDENT_NUMBER.match(wanted):
            return None
        query = pysnow.QueryBuilder().field("number").equals(wanted)
        rows = await self._get("get incident", "incident", query, INCIDENT_FIELDS, 1, "all")
        return _incident(rows[0]) if rows else None

    async def add_work_note(self, incident_sys_id: str, note: str) -> None:
        """Append a work note (a journal entry) to an incident."""
        sys_id = _check_sys_id(incident_sys_id, "incident_sys_id")
        if not note.strip():
            raise ValueError("note must not be empty")
        body = json.dumps({"work_notes": note})

        def work(resource: Any) -> None:
            resource.parameters.fields = ["sys_id"]
            resource.request("PATCH", path_append=f"/{sys_id}", data=body).one()

        await self._run("add work note", "incident", work)

    # -- caller identity: caller ID, directory matching, keypad ---------------------

    async def find_users_by_phone(self, number: str, limit: int = 3) -> list[ServiceNowUser]:
        """Active users whose ``phone`` or ``mobile_phone`` is ``number`` (both as E.164).

        The query asks for the E.164 form; rows are checked again after
        normalising what the directory holds, so a stray match never names someone.
        """
        wanted = to_e164(number)
        if wanted is None:
            return []
        query = (
            pysnow.QueryBuilder()
            .field("phone").equals(wanted)
            .OR().field("mobile_phone").equals(wanted)
            .AND().field("active").equals("true")
        )  # fmt: skip
        rows = await self._get("user by phone", "sys_user", query, CONTACT_FIELDS, limit)
        matching = [
            r
            for r in rows
            if wanted in (to_e164(_value(r, "phone")), to_e164(_value(r, "mobile_phone")))
        ]
        return [_user(r) for r in matching][:limit]

    async def users_in_email_domain(self, domain: str, limit: int = 200) -> list[ServiceNowUser]:
        """Active users whose email ends in ``@domain``: candidates for fuzzy matching.

        ``limit`` is capped at ``MAX_DOMAIN_CANDIDATES``; the caller never hears
        this list, only at most one close match from it.
        """
        wanted = domain.strip().lower()
        if not _DOMAIN.match(wanted):
            return []
        query = (
            pysnow.QueryBuilder()
            .field("email").ends_with(f"@{wanted}")
            .AND().field("active").equals("true")
        )  # fmt: skip
        capped = max(1, min(limit, MAX_DOMAIN_CANDIDATES))
        rows = await self._get("users by domain", "sys_user", query, USER_FIELDS, capped)
        users = [_user(r) for r in rows]
        return [u for u in users if u.email.lower().endswith(f"@{wanted}")]

    async def find_user_by_employee_number(self, employee_number: str) -> ServiceNowUser | None:
        """The one active user with this ``employee_number``; None if none or several."""
        wanted = employee_number.strip()
        if not _EMPLOYEE_NUMBER.match(wanted):
            return None
        query = (
            pysnow.QueryBuilder()
            .field("employee_number").equals(wanted)
            .AND().field("active").equals("true")
        )  # fmt: skip
        rows = await self._get("user by employee number", "sys_user", query, CONTACT_FIELDS, 2)
        found = [r for r in rows if _value(r, "employee_number") == wanted]
        return _user(found[0]) if len(found) == 1 else None
