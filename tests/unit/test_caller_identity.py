"""The email question knows callers by number, recovers misheard addresses, and cannot be
used to list the directory.

Trackers are built as Rasa sends them; ServiceNow is the emulator over HTTP
through the production client. ``converse`` carries the slots a turn set into
the next turn, as Rasa would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actions import clients
from actions.ask_questions import ActionAskEmail
from actions.forms.email_question import employee_number_in
from actions.forms.incident_status import ValidateIncidentStatusForm
from actions.forms.ticket_form import ValidateOpenIncidentForm
from emulators.servicenow.seed import user_sys_id
from servicenow.client import ServiceNowClient
from settings.directory import DirectorySettings
from tests.action_support import make_tracker, run_action
from tests.servicenow_fixtures import RunningEmulator

ABEL_PHONE, SHARED_PHONE, STRANGER = "+15555550123", "+15555550177", "+15555550100"
STATUS_FORM = ValidateIncidentStatusForm()
FIRST_QUESTION = (
    "What's the email address on your account? "
    "Or say your employee number, or key it in and press pound."
)
LIMITS = DirectorySettings(lookups_per_call=3, match_threshold=0.74, candidate_limit=200)


@pytest.fixture(autouse=True)
def servicenow(
    servicenow_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningEmulator]:
    client = ServiceNowClient(servicenow_emulator.settings)
    monkeypatch.setattr(clients, "servicenow", lambda: client)
    monkeypatch.setattr(clients, "directory_settings", lambda: LIMITS)
    yield servicenow_emulator


async def ask(slots: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return await run_action(ActionAskEmail(), make_tracker("", "inform", "email", slots))


async def answer(
    text: str,
    intent: str,
    slots: dict[str, Any],
    entities: list[dict[str, Any]] | None = None,
    form: str = "open_incident_form",
) -> tuple[dict[str, Any], list[str]]:
    tracker = make_tracker(text, intent, "email", slots, entities, form=form)
    validator = ValidateOpenIncidentForm() if form == "open_incident_form" else STATUS_FORM
    changes, messages = await run_action(validator, tracker)
    return changes, [m.get("text") or m.get("response") for m in messages]


async def check_status_answer(text: str, intent: str, slots: dict[str, Any]) -> Any:
    return await answer(text, intent, slots, form="incident_status_form")


async def test_known_number_is_asked_by_name_and_a_yes_fills_the_caller() -> None:
    slots, messages = await ask({"caller_phone": ABEL_PHONE})
    assert messages[0]["text"] == "Am I speaking with Abel Tuter?"
    assert [b["title"] for b in messages[0]["buttons"]] == ["yes", "no"]
    assert slots["caller_id_checked"] is True
    changes, said = await answer("yes that's me", "affirm", slots)
    assert changes["email"] == "abel.tuter@example.com"
    assert changes["known_email"] == "abel.tuter@example.com"
    assert changes["caller_sys_ids"] == [user_sys_id("abel.tuter")]
    assert changes["caller_id_offer"] is None
    assert said == []


async def test_a_no_to_the_name_falls_back_to_the_email_question() -> None:
    slots, _ = await ask({"caller_phone": ABEL_PHONE})
    changes, _ = await answer("no", "deny", slots)
    assert changes == {"email": None, "caller_id_offer": None}
    _, messages = await ask({**slots, **changes})
    assert messages[0]["text"] == FIRST_QUESTION


async def test_the_caller_may_answer_the_name_question_with_an_email() -> None:
    slots, _ = await ask({"caller_phone": ABEL_PHONE})
    changes, _ = await answer("no it's beth dot anglin at example dot com", "deny", slots)
    assert changes["email"] == "beth.anglin@example.com"
    assert changes["caller_sys_ids"] == [user_sys_id("beth.anglin")]
    assert changes["caller_id_offer"] is None  # Abel is not offered again later


async def test_unknown_number_is_asked_for_the_email_and_looked_up_once() -> None:
    slots, messages = await ask({"caller_phone": STRANGER})
    assert messages[0]["text"] == FIRST_QUESTION
    assert slots == {"caller_id_checked": True, "caller_id_offer": None}
    again, _ = await ask(slots)
    assert again == {}  # no second lookup


async def test_shared_number_asks_which_one_and_the_name_decides() -> None:
    slots, messages = await ask({"caller_phone": SHARED_PHONE})
    assert messages[0]["text"] == "Am I speaking with Sam Shared, or Sasha Shared?"
    changes, _ = await answer("it's sasha", "inform", slots)
    assert changes["caller_sys_ids"] == [user_sys_id("shared.desk.2")]
    assert changes["email"] == "shared.desk@example.com"
    by_key, _ = await answer("/inform", "inform", slots, [{"entity": "number", "value": 1}])
    assert by_key["caller_sys_ids"] == [user_sys_id("shared.desk.1")]


async def test_an_unclear_answer_on_a_shared_number_falls_back_to_the_email() -> None:
    slots, _ = await ask({"caller_phone": SHARED_PHONE})
    changes, said = await answer("yes", "affirm", slots)
    assert changes == {"email": None, "caller_id_offer": None}
    assert said == ["Sorry, I didn't catch that."]


async def test_servicenow_down_at_caller_id_just_asks_for_the_email(
    servicenow: RunningEmulator,
) -> None:
    servicenow.set_fault("server_error")
    _, messages = await ask({"caller_phone": ABEL_PHONE})
    assert messages[0]["text"] == FIRST_QUESTION


async def test_misheard_email_is_offered_spelled_before_tickets_are_read() -> None:
    changes, said = await check_status_answer("able dot cuber at example dot com", "inform", {})
    assert said == ["I couldn't find an account with the email able.cuber@example.com."]
    assert changes["email"] is None
    assert changes["directory_suggestion"] == "abel.tuter@example.com"
    assert changes["directory_lookups"] == 1
    slots = {"caller_id_checked": True, **changes}
    _, messages = await ask(slots)
    assert messages[0]["text"] == "Did you mean a b e l dot t u t e r at example dot com?"
    found, _ = await check_status_answer("yes", "affirm", slots)
    assert found["email"] == "abel.tuter@example.com"
    assert found["caller_sys_ids"] == [user_sys_id("abel.tuter")]


async def test_a_no_to_the_suggestion_asks_again() -> None:
    slots = {"directory_suggestion": "abel.tuter@example.com", "email_misses": 1.0}
    changes, _ = await check_status_answer("no", "deny", slots)
    assert changes == {"email": None, "directory_suggestion": None}


async def test_in_the_ticket_form_the_suggestion_goes_to_the_spelled_read_back() -> None:
    changes, said = await answer("able dot cuber at example dot com", "inform", {})
    assert changes["email"] == "abel.tuter@example.com"
    assert changes["caller_sys_ids"] == [user_sys_id("abel.tuter")]
    assert "closest one" in said[-1]
    assert "read the ticket back" in said[-1]


async def test_letters_the_strict_parser_drops_still_reach_the_directory() -> None:
    changes, _ = await answer("V-T-H dot N-G-L-I, and at example dot com.", "inform", {})
    assert changes["email"] == "beth.anglin@example.com"


async def test_an_address_without_the_at_is_still_understood() -> None:
    changes, _ = await answer("abel dot tuter example dot com", "inform", {})
    assert changes["email"] == "abel.tuter@example.com"


async def test_two_misses_ask_for_spelling_and_a_letter_can_be_corrected() -> None:
    slots: dict[str, Any] = {"caller_id_checked": True}
    for heard in ("zed dot quinn at example dot com", "abel dot cuter at example dot org"):
        changes, _ = await check_status_answer(heard, "inform", slots)
        slots.update(changes)
    assert slots["email_misses"] == 2
    _, messages = await ask(slots)
    assert "letter by letter" in messages[0]["text"]
    assert "t as in tango" in messages[0]["text"]
    changes, _ = await check_status_answer(
        "a b e l dot c u t e r at example dot com", "inform", slots
    )
    slots.update(changes)
    assert slots["email"] is None
    assert slots["heard_email"] == "abel.cuter@example.com"
    assert slots["directory_suggestion"] == "abel.tuter@example.com"
    # Rather than yes to the suggestion, the caller fixes the letter.
    fixed, _ = await check_status_answer("no, the fifth letter is t as in tango", "deny", slots)
    assert fixed["email"] == "abel.tuter@example.com"


async def test_spelled_local_part_takes_the_domain_heard_before() -> None:
    slots = {"email_misses": 2.0, "heard_email": "vth.ngli@example.com"}
    changes, _ = await answer("b as in bravo e t h dot a n g l i n", "inform", slots)
    assert changes["email"] == "beth.anglin@example.com"


async def test_employee_number_identifies_the_caller() -> None:
    changes, _ = await answer("my employee number is one zero zero one three one", "inform", {})
    assert changes["email"] == "beth.anglin@example.com"
    assert changes["directory_lookups"] == 1
    keyed, _ = await answer("100123#", "inform", {})
    assert keyed["email"] == "abel.tuter@example.com"
    unknown, said = await answer("999999", "inform", {})
    assert unknown["email"] is None
    assert said == ["I couldn't find that employee number."]


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("100123#", "100123"),
        ("1 0 0 1 2 3", "100123"),
        ("my employee number is one oh oh one two three", "100123"),
        ("abel dot tuter at example dot com", None),
        ("12", None),
        ("yes", None),
    ],
)
def test_employee_numbers_are_found_in_keys_and_words(said: str, number: str | None) -> None:
    assert employee_number_in(said) == number


async def test_guessing_names_gets_one_answer_at_a_time_then_nothing() -> None:
    """An enumeration attempt: many guesses, never a list, and the lookups stop."""
    slots: dict[str, Any] = {"caller_id_checked": True}
    guesses = ["abel dot tutor", "beth dot anglen", "david dot millar", "fred dot ludy",
               "john dot smith", "aileen dot mottern", "abraham dot lincon"]  # fmt: skip
    offered = []
    for guess in guesses:
        changes, said = await check_status_answer(f"{guess} at example dot com", "inform", slots)
        slots.update(changes)
        slots["directory_suggestion"] = None  # the caller says no and guesses again
        offered.append(changes.get("directory_suggestion"))
        assert all(text.count("@") <= 1 for text in said)  # never more than one address
    assert offered[:3] == [
        "abel.tuter@example.com",
        "beth.anglin@example.com",
        "david.miller@example.com",
    ]
    assert offered[3:] == [None] * 4  # the call's budget is spent
    assert slots["directory_lookups"] == 3
    refused, said = await check_status_answer("100123", "inform", slots)
    assert refused == {"email": None}
    assert "can't look up any more" in said[0]


async def test_status_form_gets_the_caller_by_number_too() -> None:
    slots, _ = await ask({"caller_phone": ABEL_PHONE})
    tracker = make_tracker("yes", "affirm", "email", slots, form="incident_status_form")
    changes, _ = await run_action(ValidateIncidentStatusForm(), tracker)
    assert changes["caller_sys_ids"] == [user_sys_id("abel.tuter")]
