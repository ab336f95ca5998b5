"""How the console reads a call out of Rasa's events: masking, flags, outcome, review."""

from __future__ import annotations

from typing import Any

from console.calls import apply, mask_number, new_call, review_candidates, shown_slots

SID = "CA" + "2" * 32


def user(text: str, intent: str, confidence: float, at: float, **parse: Any) -> dict[str, Any]:
    data = {"intent": {"name": intent, "confidence": confidence}, **parse}
    return {"event": "user", "text": text, "parse_data": data, "timestamp": at}


def bot(text: str, at: float, custom: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": at, "data": {"custom": custom}}


def fallback(text: str, at: float, best: str = "problem_printer") -> dict[str, Any]:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": best, "confidence": 0.31},
    ]
    return user(text, "nlu_fallback", 0.45, at, intent_ranking=ranking)


def fold(*events: dict[str, Any]):
    call = new_call(SID, 1000.0)
    for index, event in enumerate(events, start=1):
        apply(call, event, index)
    return call


def test_only_the_last_four_digits_of_the_caller_are_kept() -> None:
    call = fold(
        {"event": "slot", "name": "caller_phone", "value": "+15555550100", "timestamp": 1000}
    )
    assert call.caller == "•••0100"
    assert "caller_phone" not in call.slots
    assert mask_number("12") == "•••"


def test_the_whisper_slot_is_shown_with_the_number_masked() -> None:
    shown = shown_slots(
        {"handoff_summary": "The caller is calling from +15555550100.", "email": None}
    )
    assert shown == {"handoff_summary": "The caller is calling from •••0100."}


def test_two_fallbacks_in_a_row_flag_a_repeated_misunderstanding() -> None:
    call = fold(fallback("blorp", 1001), fallback("zink", 1003))
    assert "repeated misunderstanding" in call.flags(now=1004, silence_seconds=15)
    apply(call, user("my printer is broken", "problem_printer", 0.98, 1005), 9)
    assert "repeated misunderstanding" not in call.flags(now=1006, silence_seconds=15)


def test_a_turn_the_assistant_fell_back_on_counts_whatever_nlu_guessed() -> None:
    fallback_ran = {"event": "action", "name": "action_fallback", "timestamp": 1002}
    call = fold(
        user("lorem ipsum", "affirm", 0.5, 1001),
        fallback_ran,
        user("dolor sit", "greet", 0.5, 1003),
        {**fallback_ran, "timestamp": 1004},
    )
    assert "repeated misunderstanding" in call.flags(now=1005, silence_seconds=15)
    caller = [t for t in call.turns if t.speaker == "caller"]
    assert [(t.intent, t.predicted) for t in caller] == [
        ("nlu_fallback", "affirm"),
        ("nlu_fallback", "greet"),
    ]


def test_a_long_silence_and_a_request_for_a_person_are_flagged() -> None:
    call = fold(user("agent please", "request_human", 0.97, 1001))
    assert call.flags(now=1005, silence_seconds=15) == ["asked for a person"]
    assert "long silence" in call.flags(now=1020, silence_seconds=15)


def test_the_form_and_the_slot_being_asked_are_followed() -> None:
    call = fold(
        {"event": "active_loop", "name": "open_incident_form", "timestamp": 1001},
        {"event": "slot", "name": "requested_slot", "value": "priority", "timestamp": 1001},
    )
    assert (call.active_form, call.requested_slot) == ("open_incident_form", "priority")
    apply(call, {"event": "active_loop", "name": None, "timestamp": 1002}, 3)
    assert (call.active_form, call.requested_slot) == (None, None)


def test_outcomes_ticket_transfer_silence_and_hung_up() -> None:
    ticket = fold(
        {"event": "slot", "name": "incident_number", "value": "INC0010001", "timestamp": 1010},
        {"event": "pause", "timestamp": 1012},
    )
    assert ticket.outcome(15) == "ticket"
    assert ticket.duration() == 12
    transfer = fold(bot("Please hold.", 1005, {"handoff": {"conference": "handoff-1"}}))
    assert transfer.outcome(15) == "transfer"
    silent = fold(user("hello", "greet", 0.99, 1001), {"event": "pause", "timestamp": 1030})
    assert silent.outcome(15) == "silence"
    hung_up = fold(user("hello", "greet", 0.99, 1001), {"event": "pause", "timestamp": 1004})
    assert hung_up.outcome(15) == "hung up"


def test_a_triggered_intent_is_the_console_not_the_caller() -> None:
    call = fold(user("EXTERNAL: request_human", "request_human", 1.0, 1001))
    assert [t.speaker for t in call.turns] == ["system"]
    assert call.last_caller_at is None


def test_review_takes_fallbacks_low_confidence_and_corrected_turns_with_context() -> None:
    call = fold(
        bot("What can I help you with?", 1000),
        fallback("the thingy is broken", 1001),
        bot("Sorry, I didn't quite get that.", 1002),
        user("it's kind of urgent", "inform", 0.41, 1003),
        user("my printer jams", "problem_printer", 0.95, 1004),
        user("no", "deny", 0.97, 1005),
        user("/choose_priority", "inform", 0.2, 1006),
        user("thanks", "thank", 0.99, 1007),
    )
    found = {c["text"]: c for c in review_candidates(call, low_confidence=0.6)}
    assert set(found) == {"the thingy is broken", "it's kind of urgent", "my printer jams"}
    assert found["the thingy is broken"]["reason"] == "fell back"
    assert found["the thingy is broken"]["predicted"] == "problem_printer"
    assert found["the thingy is broken"]["context"]["before"] == "What can I help you with?"
    assert found["it's kind of urgent"]["reason"] == "low confidence"
    assert found["my printer jams"]["reason"] == "corrected"


def test_a_caller_back_from_hold_can_be_taken_over_again() -> None:
    call = fold(bot("Please hold.", 1005, {"handoff": {"conference": "handoff-1"}}))
    assert call.on_hold
    apply(call, user("EXTERNAL: handoff_failed", "handoff_failed", 1.0, 1030), 5)
    assert not call.on_hold
    assert call.outcome(15) == "transfer"
