"""What a ticket is called, and how the caller hears about their tickets."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from actions.check_status import status_report
from actions.ticket import full_description, short_description, spoken_subject
from servicenow.client import Incident


def incident(number: str, active: bool, state: str = "In Progress") -> Incident:
    return Incident(
        sys_id="0" * 32,
        number=number,
        short_description="VPN problem: drops every hour",
        state=state,
        priority="High",
        opened_at=datetime(2026, 5, 21, 9, 30, tzinfo=timezone.utc),
        active=active,
    )


def test_the_title_is_the_categorys_subject_then_the_callers_words() -> None:
    assert short_description("vpn", "drops every hour.") == "VPN problem: Drops every hour"
    assert short_description(None, "my chair squeaks") == "My chair squeaks"
    assert len(short_description("email", "word " * 100)) == 160


@pytest.mark.parametrize(
    ("category", "spoken"),
    [
        ("vpn", "a VPN problem"),
        ("email", "an email problem"),
        ("account", "a locked account"),
        (None, "a ticket"),
    ],
)
def test_the_summary_names_the_ticket_with_the_right_article(
    category: str | None, spoken: str
) -> None:
    assert spoken_subject(category) == spoken


def test_the_body_tells_the_desk_how_to_reach_the_caller() -> None:
    body = full_description(
        "it drops",
        email="abel.tuter@example.com",
        caller_phone="+15555550100",
        matched_accounts=["a", "b"],
    )
    assert "Caller's phone: +15555550100" in body
    assert "matches 2 accounts" in body


def test_no_tickets_invites_the_caller_to_open_one() -> None:
    assert "don't see any tickets" in status_report([])


def test_only_closed_tickets_reads_the_most_recent_one() -> None:
    report = status_report([incident("INC0000052", False, "Closed"), incident("INC0000040", False)])
    assert report.startswith("You have no open tickets.")
    assert "INC0000052" in report and "INC0000040" not in report


NOW = datetime(2026, 5, 24, 12, 0, tzinfo=timezone.utc)


def test_open_tickets_are_read_briefly_with_state_and_age() -> None:
    report = status_report(
        [incident("INC0010002", True), incident("INC0010001", True), incident("INC0000052", False)],
        now=NOW,
    )
    assert report.startswith("You have 2 open tickets.")
    assert "INC0010002, VPN problem: drops every hour: in progress, opened 3 days ago." in report
    assert "INC0000052" not in report


def test_each_ticket_takes_about_fifteen_words_and_at_most_three_are_read() -> None:
    long = Incident(
        sys_id="0" * 32,
        number="INC0010009",
        short_description="Printer problem: the printer on the third floor keeps jamming on A4",
        state="New",
        priority="Low",
        opened_at=NOW,
        active=True,
    )
    report = status_report([long] * 5, now=NOW)
    sentences = report.split("INC")[1:]
    assert len(sentences) == 3
    assert all(len(sentence.split()) <= 15 for sentence in sentences)
    assert "opened today" in sentences[0]


@pytest.mark.parametrize(
    ("days", "said"),
    [(0, "opened today"), (1, "opened yesterday"), (12, "opened 12 days ago")],
)
def test_ages_are_said_the_way_people_say_them(days: int, said: str) -> None:
    from datetime import timedelta

    from actions.check_status import opened_ago

    assert opened_ago(NOW - timedelta(days=days), NOW) == said
