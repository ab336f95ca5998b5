"""The ServiceNow emulator honours the Table API contract pysnow and the bot rely on,
over real loopback HTTP against the emulator served in process (faults and restarts:
test_servicenow_emulator_faults.py; the encoded-query parser: test_encoded_query.py).
"""

from __future__ import annotations

import logging
import re

import pytest
import requests

from emulators.servicenow.seed import ABRAHAM_LINCOLN_SYS_ID, ADMIN_SYS_ID, user_sys_id
from tests.servicenow_fixtures import HEX32, RunningEmulator, create, incidents, users

# -- envelope, auth, errors ------------------------------------------------------------------


def test_health_needs_no_auth(servicenow_emulator):
    reply = requests.get(f"{servicenow_emulator.base_url}/_emulator/health", timeout=5)
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}


def test_collection_answer_is_a_result_list(servicenow_emulator):
    reply = servicenow_emulator.api("GET", "/table/sys_user")
    assert reply.status_code == 200
    assert isinstance(reply.json()["result"], list)
    assert reply.headers["Content-Type"].startswith("application/json")


def test_unknown_table_is_400_invalid_table(servicenow_emulator):
    reply = servicenow_emulator.api("GET", "/table/foo")
    assert reply.status_code == 400
    assert reply.json() == {
        "error": {"message": "Invalid table foo", "detail": None},
        "status": "failure",
    }


@pytest.mark.parametrize("auth", [None, ("admin", "wrong"), ("nobody", "admin")])
def test_missing_or_wrong_credentials_are_401(servicenow_emulator, auth):
    reply = servicenow_emulator.api("GET", "/table/incident", auth=auth)
    assert reply.status_code == 401
    assert reply.json()["status"] == "failure"
    assert reply.json()["error"]["message"] == "User Not Authenticated"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH"])
def test_unknown_sys_id_is_404_no_record_found(servicenow_emulator, method):
    reply = servicenow_emulator.api(method, "/table/incident/" + "0" * 32, json={})
    assert reply.status_code == 404
    assert reply.json()["error"]["message"] == "No Record found"
    assert reply.json()["status"] == "failure"


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_malformed_body_is_400_with_clear_message(servicenow_emulator, body):
    reply = servicenow_emulator.api(
        "POST", "/table/incident", data=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["message"] == "Exception while reading request"
    assert "JSON" in error["detail"]


def test_log_has_one_line_per_request_and_no_credentials(servicenow_emulator, caplog):
    with caplog.at_level(logging.INFO, logger="emulators.servicenow"):
        servicenow_emulator.api("GET", "/table/incident", params={"sysparm_limit": "1"})
    log = caplog.text
    assert "GET /api/now/table/incident -> 200" in log
    assert "YWRtaW46YWRtaW4=" not in log  # base64 of admin:admin
    assert "admin:admin" not in log


# -- create, values, references --------------------------------------------------------------


def test_create_returns_201_location_and_numbers_from_inc0010001(servicenow_emulator):
    first = create(servicenow_emulator, {"short_description": "VPN drops"})
    second = create(servicenow_emulator, {"short_description": "Printer"})
    assert first.status_code == 201
    record = first.json()["result"]
    assert HEX32.match(record["sys_id"])
    assert first.headers["Location"] == (
        f"{servicenow_emulator.base_url}/api/now/table/incident/{record['sys_id']}"
    )
    assert record["number"] == "INC0010001"
    assert second.json()["result"]["number"] == "INC0010002"


def test_insert_defaults_and_all_values_are_strings(servicenow_emulator):
    record = create(servicenow_emulator, {"short_description": "x", "urgency": 2}).json()["result"]
    assert record["state"] == "1"
    assert record["active"] == "true"
    assert record["impact"] == "3"
    assert record["urgency"] == "2"
    assert record["priority"] == "4"
    assert record["sys_created_by"] == "admin"
    assert record["sys_mod_count"] == "0"
    assert record["caller_id"] == ""
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", record["opened_at"])
    assert record["opened_at"] == record["sys_created_on"]
    assert record["opened_by"]["value"] == ADMIN_SYS_ID
    for name, value in record.items():
        assert isinstance(value, (str, dict)), name
        if isinstance(value, dict):
            assert all(isinstance(v, str) for v in value.values()), name


def test_reference_fields_are_link_and_value(servicenow_emulator):
    record = create(servicenow_emulator, {"caller_id": ABRAHAM_LINCOLN_SYS_ID}).json()["result"]
    assert record["caller_id"] == {
        "link": f"{servicenow_emulator.base_url}/api/now/table/sys_user/{ABRAHAM_LINCOLN_SYS_ID}",
        "value": ABRAHAM_LINCOLN_SYS_ID,
    }
    plain = create(
        servicenow_emulator,
        {"caller_id": ABRAHAM_LINCOLN_SYS_ID},
        sysparm_exclude_reference_link="true",
    ).json()["result"]
    assert plain["caller_id"] == ABRAHAM_LINCOLN_SYS_ID
    assert plain["opened_by"] == ADMIN_SYS_ID


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        ("1", "1", "1"),
        ("1", "2", "2"),
        ("2", "1", "2"),
        ("1", "3", "3"),
        ("2", "2", "3"),
        ("3", "1", "3"),
        ("2", "3", "4"),
        ("3", "2", "4"),
        ("3", "3", "5"),
    ],
)
def test_priority_is_computed_from_impact_and_urgency(
    servicenow_emulator, impact, urgency, priority
):
    payload = {"impact": impact, "urgency": urgency, "priority": "1"}
    assert create(servicenow_emulator, payload).json()["result"]["priority"] == priority


def test_writes_ignore_leaked_query_limit_and_offset(servicenow_emulator):
    leaked = {"sysparm_query": "number=INC0000050", "sysparm_limit": "0", "sysparm_offset": "9"}
    created = create(servicenow_emulator, {"short_description": "leak"}, **leaked)
    assert created.status_code == 201
    sys_id = created.json()["result"]["sys_id"]
    updated = servicenow_emulator.api(
        "PUT", f"/table/incident/{sys_id}", json={"urgency": "1"}, params=leaked
    )
    assert updated.status_code == 200
    assert updated.json()["result"]["number"] == "INC0010001"
    assert updated.json()["result"]["priority"] == "3"


def test_writes_honour_display_value_and_fields(servicenow_emulator):
    reply = create(
        servicenow_emulator,
        {"short_description": "x", "caller_id": ABRAHAM_LINCOLN_SYS_ID},
        sysparm_display_value="all",
        sysparm_fields="number,caller_id",
    )
    result = reply.json()["result"]
    assert set(result) == {"number", "caller_id"}
    assert result["number"] == {"display_value": "INC0010001", "value": "INC0010001"}
    assert result["caller_id"]["display_value"] == "Abraham Lincoln"


def test_resolving_makes_incident_inactive(servicenow_emulator):
    sys_id = create(servicenow_emulator, {"short_description": "x"}).json()["result"]["sys_id"]
    reply = servicenow_emulator.api("PATCH", f"/table/incident/{sys_id}", json={"state": "6"})
    record = reply.json()["result"]
    assert (record["state"], record["active"]) == ("6", "false")
    assert record["sys_mod_count"] == "1"


# -- display values, fields, paging ------------------------------------------------------------


def get_inc50(emulator: RunningEmulator, **params: str) -> dict:
    reply = emulator.api(
        "GET", "/table/incident", params={"sysparm_query": "number=INC0000050", **params}
    )
    return reply.json()["result"][0]


@pytest.mark.parametrize("flag", ["false", "False", "FALSE"])
def test_display_value_false_gives_stored_values(servicenow_emulator, flag):
    record = get_inc50(servicenow_emulator, sysparm_display_value=flag)
    assert record["state"] == "2"
    assert record["priority"] == "3"
    assert record["caller_id"]["value"] == ABRAHAM_LINCOLN_SYS_ID


@pytest.mark.parametrize("flag", ["true", "True"])
def test_display_value_true_gives_labels_and_names(servicenow_emulator, flag):
    record = get_inc50(servicenow_emulator, sysparm_display_value=flag)
    assert record["state"] == "In Progress"
    assert record["priority"] == "3 - Moderate"
    assert record["active"] == "true"
    assert record["caller_id"] == {
        "display_value": "Abraham Lincoln",
        "link": f"{servicenow_emulator.base_url}/api/now/table/sys_user/{ABRAHAM_LINCOLN_SYS_ID}",
    }


@pytest.mark.parametrize("flag", ["all", "ALL"])
def test_display_value_all_gives_both(servicenow_emulator, flag):
    record = get_inc50(servicenow_emulator, sysparm_display_value=flag)
    assert record["state"] == {"display_value": "In Progress", "value": "2"}
    assert record["caller_id"]["display_value"] == "Abraham Lincoln"
    assert record["caller_id"]["value"] == ABRAHAM_LINCOLN_SYS_ID
    assert "link" in record["caller_id"]
    assert record["close_code"] == {"display_value": "", "value": ""}


def test_fields_select_and_ignore_unknown_names(servicenow_emulator):
    record = get_inc50(
        servicenow_emulator,
        sysparm_fields="number,caller_id,bogus,state",
        sysparm_exclude_reference_link="true",
    )
    assert record == {"number": "INC0000050", "caller_id": ABRAHAM_LINCOLN_SYS_ID, "state": "2"}


def test_limit(servicenow_emulator):
    everyone = users(servicenow_emulator, "ORDERBYuser_name")
    assert users(servicenow_emulator, "ORDERBYuser_name", sysparm_limit="2") == everyone[:2]


def test_empty_sysparms_are_treated_as_absent(servicenow_emulator):
    reply = servicenow_emulator.api(
        "GET",
        "/table/sys_user",
        params={"sysparm_query": "", "sysparm_fields": "", "sysparm_view": "", "sysparm_offset": 0},
    )
    assert len(reply.json()["result"]) >= 13


# -- encoded queries over HTTP ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("email=jpk@bespoken.io", ["jpk"]),
        ("email=JPK@Bespoken.IO", ["jpk"]),
        ("emailLIKEbespoken", ["jpk"]),
        ("emailSTARTSWITHjane-", ["jane-doe"]),
        ("emailENDSWITH.co.uk", ["jane-doe"]),
        ("user_nameINjpk,john_smith", ["john_smith", "jpk"]),
        ("email=shared.desk@example.com^active=true", ["sam.shared", "sasha.shared"]),
        ("active=false", ["inactive.user"]),
        ("emailLIKEexample.co^user_nameSTARTSWITHs", ["sam.shared", "sasha.shared"]),
    ],
)
def test_user_queries(servicenow_emulator, query, expected):
    assert sorted(users(servicenow_emulator, query)) == expected


def test_caret_or_binds_tighter_over_http(servicenow_emulator):
    query = "active=true^user_name=jpk^ORuser_name=inactive.user"
    assert users(servicenow_emulator, query) == ["jpk"]


def test_invalid_field_is_dropped_not_an_error(servicenow_emulator):
    assert len(users(servicenow_emulator, "emial=x")) == len(users(servicenow_emulator, ""))
    assert users(servicenow_emulator, "emial=x^user_name=jpk") == ["jpk"]


def test_reference_query_and_ordering(servicenow_emulator):
    numbers = incidents(
        servicenow_emulator,
        f"caller_id={ABRAHAM_LINCOLN_SYS_ID}^ORDERBYDESCactive^ORDERBYDESCopened_at",
    )
    assert numbers == ["INC0000051", "INC0000050", "INC0000053", "INC0000052"]
    abel = user_sys_id("abel.tuter")
    assert incidents(servicenow_emulator, f"caller_id={abel}^ORDERBYDESCnumber") == [
        "INC0000055",
        "INC0000054",
    ]


def test_seeded_users_and_incident_states(servicenow_emulator):
    record = servicenow_emulator.api("GET", f"/table/sys_user/{ABRAHAM_LINCOLN_SYS_ID}").json()
    assert record["result"]["name"] == "Abraham Lincoln"
    assert servicenow_emulator.api("GET", f"/table/sys_user/{ADMIN_SYS_ID}").status_code == 200
    assert incidents(servicenow_emulator, "active=false^ORDERBYnumber") == [
        "INC0000052",
        "INC0000055",
        "INC0000056",
    ]


# -- journal fields -----------------------------------------------------------------------------


def test_work_notes_and_comments_are_journal_entries(servicenow_emulator):
    sys_id = create(servicenow_emulator, {"work_notes": "first note"}).json()["result"]["sys_id"]
    path = f"/table/incident/{sys_id}"
    patched = servicenow_emulator.api("PATCH", path, json={"work_notes": "second note"})
    assert patched.json()["result"]["work_notes"] == ""
    servicenow_emulator.api("PATCH", path, json={"comments": "caller called back"})
    shown = servicenow_emulator.api(
        "GET",
        path,
        params={"sysparm_display_value": "true", "sysparm_fields": "work_notes,comments"},
    ).json()["result"]
    notes = shown["work_notes"]
    assert notes.index("second note") < notes.index("first note")
    assert "(Work notes)" in notes
    assert "caller called back" in shown["comments"]
    assert "first note" not in shown["comments"]
    plain = servicenow_emulator.api("GET", path, params={"sysparm_fields": "work_notes"})
    assert plain.json()["result"] == {"work_notes": ""}
