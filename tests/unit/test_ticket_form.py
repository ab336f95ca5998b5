"""The ticket form's Python side: what the caller says becomes slot values.

Trackers are built as Rasa sends them to the action server; ServiceNow is the
emulator over HTTP, reached through the production client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actions import clients
from actions.forms.incident_status import ValidateIncidentStatusForm
from actions.forms.ticket_form import ValidateOpenIncidentForm
from servicenow.client import ServiceNowClient
from tests.action_support import make_tracker, run_action
from tests.servicenow_fixtures import RunningEmulator

FILLED = {
    "problem_category": "vpn",
    "problem_description": "it drops every ten minutes",
    "priority": "high",
    "email": "abel.tuter@example.com",
    "caller_sys_ids": ["x"],
}


@pytest.fixture(autouse=True)
def servicenow(
    servicenow_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningEmulator]:
    client = ServiceNowClient(servicenow_emulator.settings)
    monkeypatch.setattr(clients, "servicenow", lambda: client)
    yield servicenow_emulator


tracker = make_tracker


async def run(action: Any, tracker: Any) -> tuple[dict[str, Any], list[str]]:
    slots, messages = await run_action(action, tracker)
    return slots, [m.get("text") or m.get("response") for m in messages]


async def test_caller_corrects_priority_at_confirmation() -> None:
    slots, _ = await run(
        ValidateOpenIncidentForm(), tracker("no the priority is low", "inform", "confirm", FILLED)
    )
    assert slots["priority"] == "low"
    assert slots["confirm"] is None


async def test_caller_confirms_the_ticket() -> None:
    slots, _ = await run(
        ValidateOpenIncidentForm(), tracker("yes please", "affirm", "confirm", FILLED)
    )
    assert slots["confirm"] is True


async def test_plain_no_at_confirmation_asks_what_to_change_then_reasks_that_field() -> None:
    slots, _ = await run(ValidateOpenIncidentForm(), tracker("no", "deny", "confirm", FILLED))
    assert slots == {"confirm": None, "awaiting_correction": True}
    slots, _ = await run(
        ValidateOpenIncidentForm(),
        tracker("the email", "inform", "confirm", {**FILLED, "awaiting_correction": True}),
    )
    assert slots["email"] is None
    assert slots["email_reuse_declined"] is True


async def test_spoken_email_is_parsed_and_found_in_servicenow() -> None:
    slots, _ = await run(
        ValidateOpenIncidentForm(), tracker("j p k at bespoken dot i o", "inform", "email")
    )
    assert slots["email"] == "jpk@bespoken.io"
    assert slots["known_email"] == "jpk@bespoken.io"
    assert len(slots["caller_sys_ids"]) == 1


async def test_unknown_email_is_asked_again() -> None:
    slots, said = await run(
        ValidateOpenIncidentForm(), tracker("nobody at example dot com", "inform", "email")
    )
    assert slots["email"] is None
    assert "couldn't find an account" in said[0]


async def test_email_shared_by_several_accounts_keeps_them_all() -> None:
    slots, said = await run(
        ValidateIncidentStatusForm(),
        tracker(
            "shared dot desk at example dot com", "inform", "email", form="incident_status_form"
        ),
    )
    assert slots["email"] == "shared.desk@example.com"
    assert len(slots["caller_sys_ids"]) == 2
    assert "more than one account" in said[0]


async def test_servicenow_outage_apologises_and_stops_the_form(servicenow: RunningEmulator) -> None:
    servicenow.set_fault("server_error")
    slots, said = await run(
        ValidateOpenIncidentForm(), tracker("abel dot tuter at example dot com", "inform", "email")
    )
    assert slots["requested_slot"] is None
    assert slots["servicenow_unavailable"] is True
    assert said == ["utter_servicenow_down"]


async def test_same_email_is_offered_and_accepted() -> None:
    slots, _ = await run(
        ValidateOpenIncidentForm(),
        tracker("yes", "affirm", "email", {"known_email": "abel.tuter@example.com"}),
    )
    assert slots["email"] == "abel.tuter@example.com"


async def test_declining_the_same_email_asks_for_another() -> None:
    slots, _ = await run(
        ValidateOpenIncidentForm(),
        tracker("no", "deny", "email", {"known_email": "abel.tuter@example.com"}),
    )
    assert slots == {"email": None, "email_reuse_declined": True}


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        ("it's urgent", [], "high"),
        ("no rush", [], "low"),
        ('/inform{"priority": "medium"}', [{"entity": "priority", "value": "medium"}], "medium"),
        ("three", [{"entity": "number", "value": 3}], "low"),
    ],
)
async def test_priority_from_words_digits_and_keys(
    text: str, entities: list[dict[str, Any]], expected: str
) -> None:
    slots, _ = await run(
        ValidateOpenIncidentForm(), tracker(text, "inform", "priority", entities=entities)
    )
    assert slots["priority"] == expected


async def test_unclear_priority_is_asked_again_with_the_choices() -> None:
    slots, said = await run(ValidateOpenIncidentForm(), tracker("banana", "inform", "priority"))
    assert slots["priority"] is None
    assert "high, medium, or low" in said[0]


async def test_a_digression_is_not_taken_as_the_answer() -> None:
    slots, _ = await run(ValidateOpenIncidentForm(), tracker("what can you do", "help", "email"))
    assert slots == {}


async def test_a_description_that_sounds_like_a_greeting_is_still_the_answer() -> None:
    slots, _ = await run(
        ValidateOpenIncidentForm(),
        tracker("i dropped it this morning", "greet", "problem_description", confidence=0.97),
    )
    assert slots["problem_description"] == "i dropped it this morning"


async def test_a_short_hello_on_a_laggy_line_is_not_the_answer() -> None:
    slots, _ = await run(
        ValidateOpenIncidentForm(),
        tracker("hello", "greet", "problem_description", confidence=0.7),
    )
    assert slots == {}
