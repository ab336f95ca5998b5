"""The directory's contact fields: seeded like a real instance, queried like one.

The emulator's seed users have E.164 phones and employee numbers (one desk
phone shared by two people, one number belonging to an inactive user), queried
with Table API encoded queries; the client's lookups are checked against it.
"""

from __future__ import annotations

import pytest

from servicenow.client import ServiceNowClient
from telephony.e164 import to_e164
from tests.servicenow_fixtures import RunningEmulator, users


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("phone=+15555550123", ["abel.tuter"]),
        ("mobile_phone=+15555550124", ["abel.tuter"]),
        ("phone=+15555550177", ["sam.shared", "sasha.shared"]),
        ("phone=+15555550178^ORmobile_phone=+15555550178", ["sasha.shared"]),
        ("phone=+15555550188^active=true", []),
        ("employee_number=100131", ["beth.anglin"]),
        ("employee_numberIN100177,100178", ["sam.shared", "sasha.shared"]),
        (
            "phoneISEMPTY^mobile_phoneISEMPTY^user_nameSTARTSWITHj",
            ["jane-doe", "john_smith", "jpk"],
        ),
    ],
)
def test_contact_fields_are_queryable(
    servicenow_emulator: RunningEmulator, query: str, expected: list[str]
) -> None:
    assert sorted(users(servicenow_emulator, query)) == expected


def test_contact_fields_come_back_as_strings(servicenow_emulator: RunningEmulator) -> None:
    reply = servicenow_emulator.api(
        "GET",
        "/table/sys_user",
        params={
            "sysparm_query": "user_name=abel.tuter",
            "sysparm_fields": "phone,mobile_phone,employee_number",
        },
    )
    assert reply.json()["result"] == [
        {"phone": "+15555550123", "mobile_phone": "+15555550124", "employee_number": "100123"}
    ]


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+15555550123", "+15555550123"),
        ("(555) 555-0123", "+15555550123"),
        ("1 555 555 0123", "+15555550123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"),
        ("anonymous", None),
        ("", None),
        ("555-0123", None),
        ("+1555^ORactive=false", None),
    ],
)
def test_numbers_are_compared_as_e164(raw: str, e164: str | None) -> None:
    assert to_e164(raw) == e164


@pytest.fixture
def client(servicenow_emulator: RunningEmulator) -> ServiceNowClient:
    return ServiceNowClient(servicenow_emulator.settings)


async def test_user_by_phone_matches_phone_or_mobile_in_any_format(
    client: ServiceNowClient,
) -> None:
    assert [u.user_name for u in await client.find_users_by_phone("(555) 555-0124")] == [
        "abel.tuter"
    ]
    shared = await client.find_users_by_phone("+15555550177")
    assert sorted(u.name for u in shared) == ["Sam Shared", "Sasha Shared"]


async def test_inactive_and_unknown_numbers_identify_nobody(client: ServiceNowClient) -> None:
    assert await client.find_users_by_phone("+15555550188") == []
    assert await client.find_users_by_phone("+15555550100") == []
    assert await client.find_users_by_phone("anonymous") == []


async def test_domain_candidates_are_active_users_of_that_domain_only(
    client: ServiceNowClient,
) -> None:
    found = await client.users_in_email_domain("example.com")
    assert {u.email for u in found} >= {"abel.tuter@example.com", "beth.anglin@example.com"}
    assert all(u.email.endswith("@example.com") for u in found)
    assert "inactive.user@example.com" not in {u.email for u in found}
    assert len(await client.users_in_email_domain("example.com", limit=2)) == 2
    assert await client.users_in_email_domain("example.com^active=false") == []


async def test_user_by_employee_number(client: ServiceNowClient) -> None:
    user = await client.find_user_by_employee_number("100123")
    assert user is not None
    assert user.email == "abel.tuter@example.com"
    assert await client.find_user_by_employee_number("100188") is None  # inactive
    assert await client.find_user_by_employee_number("999999") is None
    assert await client.find_user_by_employee_number("10012^active=false") is None
