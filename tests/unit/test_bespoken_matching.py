"""The offline runner passes and fails steps exactly as ``bst test`` would.

Expected behaviour is skill-testing-ml 1.4.8's (``Assertion.js``,
``TestParser.js``) and virtual-device-sdk 1.9.3's homophones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.runner.check import check_case, report
from e2e.runner.matching import (
    Assertion,
    PatternError,
    apply_homophones,
    evaluate,
    lenient,
    value_at_path,
)
from e2e.runner.suite import (
    E2E_DIR,
    Configuration,
    Parser,
    SuiteError,
    find_replace,
    find_test_files,
    load_test_file,
    replace_placeholders,
    skip_reasons,
)

HEARD = {
    "transcript": "Hi, you've reached the IT help desk. What can I help you with?",
    "prompt": "Hi, you've reached the IT help desk. What can I help you with?",
    "debug": {"turns": [{"says": 2}], "callEnded": False},
}


def prompt(value, operator: str = "==", original: str = ":") -> Assertion:
    return Assertion("prompt", operator, value, original)


# -- matching -------------------------------------------------------------------


@pytest.mark.parametrize(
    "expected",
    [
        "help desk",
        "HELP DESK",
        "Hi, you've reached",
        "Hi*What can I help",
        "What can I help you with?",
        "IT.help",  # "." is still a pattern character, as in bst
        "/reached the (IT|HR) help desk/",
        "/^hi, you've/",
    ],
)
def test_expected_text_matches_anywhere_ignoring_case(expected: str) -> None:
    assert evaluate(prompt(expected), HEARD)


@pytest.mark.parametrize("expected", ["helpdesk", "Goodbye", "/^What/", "help*Goodbye"])
def test_text_that_was_not_said_fails(expected: str) -> None:
    assert not evaluate(prompt(expected), HEARD)


def test_question_marks_and_dollars_are_literal_not_regex() -> None:
    assert evaluate(prompt("with?"), HEARD)
    assert not evaluate(prompt("with?"), {"prompt": "withx"})
    assert evaluate(prompt("costs $5"), {"prompt": "it costs $5 today"})


def test_a_list_passes_when_any_value_matches() -> None:
    assert evaluate(prompt(["Goodbye", "help desk"]), HEARD)
    assert not evaluate(prompt(["Goodbye", "See you"]), HEARD)


def test_a_list_with_one_regex_makes_every_value_a_regex() -> None:
    # bst sets =~ for the whole assertion: "*" is then a regex quantifier, not a wildcard.
    assert not evaluate(prompt(["/nothing/", "Hi*What"], "=~"), HEARD)
    assert evaluate(prompt(["/nothing/", "help desk"], "=~"), HEARD)


def test_not_equal_means_contains_none_of_the_values() -> None:
    assert evaluate(prompt("ticket number", "!=", "!="), HEARD)
    assert not evaluate(prompt("HELP desk", "!=", "!="), HEARD)
    assert not evaluate(prompt(["nope", "help desk"], "!=", "!="), HEARD)
    assert evaluate(prompt("anything", "!=", "!="), {"prompt": ""})


def test_short_form_equals_never_reads_slashes_as_a_regex() -> None:
    assert not evaluate(prompt("/help desk/", "==", "=="), HEARD)
    assert evaluate(prompt("help desk", "=~", "=~"), HEARD)


def test_numeric_operators_compare_integers() -> None:
    result = {"count": "12 tickets"}
    assert evaluate(Assertion("count", ">", "3", ">"), {"count": 12})
    assert evaluate(Assertion("count", "<=", "12", "<="), {"count": "12"})
    assert not evaluate(Assertion("count", ">", "3", ">"), result)  # Number("12 tickets") is NaN


def test_a_missing_value_fails_equality_and_passes_not_equal() -> None:
    assert not evaluate(prompt("help"), {"transcript": "x"})
    assert evaluate(prompt("help", "!=", "!="), {})
    assert not evaluate(prompt("help"), None)


def test_lenient_mode_ignores_punctuation_on_both_sides() -> None:
    assert lenient('Hi,  "you"  (there)!') == "Hi you there"
    assert not evaluate(prompt("reached the IT help desk What"), HEARD)
    assert evaluate(prompt("reached the IT help desk What"), HEARD, lenient_mode=True)


def test_an_invalid_pattern_is_an_error_not_a_pass() -> None:
    with pytest.raises(PatternError):
        evaluate(prompt("the (IT help desk"), HEARD)
    assert not evaluate(prompt("/the (IT/"), HEARD)  # bst swallows bad /regex/s


def test_json_paths_reach_nested_values() -> None:
    assert value_at_path(HEARD, "$.debug.turns[0].says") == 2
    assert value_at_path(HEARD, "debug.callEnded") is False
    assert value_at_path(HEARD, "debug.missing.deeper") is None
    assert evaluate(Assertion("debug.callEnded", "==", "false"), HEARD)


def test_homophones_replace_whole_words_only() -> None:
    homophones = {"help_desk": ["helpdesk"], "V_P_N": ["VPN"], "I_N_C": ["INC"]}
    heard = "Welcome to the helpdesk. Your VPN ticket is INC, 0 0 1. helpdesks VPNs"
    assert (
        apply_homophones(heard, homophones)
        == "Welcome to the help desk. Your V P N ticket is I N C, 0 0 1. helpdesks VPNs"
    )
    assert apply_homophones("vpn", homophones) == "V P N"


# -- reading test files -----------------------------------------------------------


def parse(text: str, platform: str | None = "twilio"):
    return Parser(Path("x.e2e.yml"), platform).parse(text)


def test_yaml_12_keeps_yes_no_and_on_as_words() -> None:
    file = parse("- test: t\n- $DIAL: hello\n- yes: okay\n- no: fine\n- on\n")
    assert [step.utterance for step in file.cases[0].steps] == ["$DIAL", "yes", "no", "on"]


def test_configuration_document_headers_and_tags() -> None:
    file = parse(
        "---\nconfiguration:\n  description: d\n  tags: offline-only\n"
        "---\n- test.only: first\n- tags: a, b\n- $DIAL: hi\n"
        "---\n- test.skip: second\n- $DIAL: hi\n"
        "---\nnot: a list\n"
    )
    assert file.configuration == {"description": "d", "tags": "offline-only"}
    first, second = file.cases
    assert (first.name, first.only, first.tags) == ("first", True, ["a", "b"])
    assert (second.name, second.skip) == ("second", True)


def test_interaction_forms_become_assertions_and_settings() -> None:
    file = parse(
        "- test: forms\n"
        "- $DIAL == Hi there\n"
        "- my vpn: What's going wrong\n"
        "- $1 != high - low\n"
        "- agent:\n"
        "    - set finishOnPhrase: hold\n"
        "    - set servicenowFault: server_error\n"
        "    - prompt: [connecting, transferring]\n"
        "    - prompt: /please hold/i\n"
        "    - prompt != Goodbye\n"
        "    - transcript =~ agent\n"
        "- thanks\n"
    )
    dial, vpn, keys, agent, thanks = file.cases[0].steps
    assert dial.assertions == [Assertion("prompt", "==", "Hi there", "==", dial.line)]
    assert vpn.assertions[0].value == "What's going wrong"
    assert vpn.assertions[0].original_operator == ":"
    assert keys.assertions[0].value == ["high", "low"]  # "-" splits a short-form value
    assert agent.settings == {"finishOnPhrase": "hold", "servicenowFault": "server_error"}
    assert [(a.path, a.operator, a.value) for a in agent.assertions] == [
        ("prompt", "==", ["connecting", "transferring"]),
        ("prompt", "=~", "/please hold/i"),
        ("prompt", "!=", "Goodbye"),
        ("transcript", "=~", "agent"),
    ]
    assert thanks.assertions == []
    assert agent.line == 5


def test_an_ivr_step_without_assertion_or_listening_setting_is_refused() -> None:
    with pytest.raises(SuiteError, match=r"x.e2e.yml:3: .*finishOnPhrase"):
        parse("- test: t\n- $DIAL: hi\n- hello\n- bye\n")
    parse("- test: t\n- $DIAL:\n    - set listeningTimeout: 10\n- bye\n")


def test_bad_assertions_are_refused_with_their_line() -> None:
    with pytest.raises(SuiteError, match="invalid operator"):
        parse("- test: t\n- $DIAL:\n    - prompt contains hi\n")
    with pytest.raises(SuiteError, match="invalid assertion"):
        parse("- test: t\n- $DIAL:\n    - hi\n")
    with pytest.raises(SuiteError, match="must be numeric"):
        parse("- test: t\n- $DIAL:\n    - count > many\n")


def test_placeholders_and_find_replace() -> None:
    env = {"HELPDESK_PHONE_NUMBER": "+15551234567"}
    assert replace_placeholders('{"a": "${HELPDESK_PHONE_NUMBER}", "b": "${UNSET}"}', env) == (
        '{"a": "+15551234567", "b": ""}'
    )
    assert find_replace("- ABEL_EMAIL: x", {"ABEL_EMAIL": "abel at x"}) == "- abel at x: x"


def test_tags_in_exclude_skip_tests_and_file_tags_count() -> None:
    configuration = Configuration({"exclude": "handoff"})
    file = parse(
        "---\nconfiguration:\n  tags: handoff\n---\n- test: a\n- $DIAL: hi\n"
        "---\n- test: b\n- tags: other\n- $DIAL: hi\n"
    )
    reasons = [reason for _, reason in skip_reasons(file, configuration)]
    assert reasons == ["tag 'handoff' is excluded", "tag 'handoff' is excluded"]
    everything = [reason for _, reason in skip_reasons(file, configuration, exclude=[])]
    assert everything == [None, None]
    only_other = [reason for _, reason in skip_reasons(file, configuration, ["other"], [])]
    assert only_other[0] and only_other[1] is None


# -- checking a call ---------------------------------------------------------------


def test_failures_name_the_step_and_what_was_heard() -> None:
    file = parse("- test: t\n- $DIAL: help desk\n- hello: Goodbye\n- bye: x\n")
    case = file.cases[0]
    results = [
        {"message": "$DIAL", "transcript": "Welcome to the helpdesk"},
        {"message": "hello", "transcript": "What can I help you with?"},
    ]
    outcomes = check_case(case, results, {"help_desk": ["helpdesk"]})
    assert [outcome.passed for outcome in outcomes] == [True, False, False]
    text = report(case, outcomes, [("caller", "hello")])
    assert "step 2, line 3: caller 'hello'" in text
    assert "expected prompt to match: 'Goodbye'" in text
    assert "heard: 'What can I help you with?'" in text
    assert "the call had ended before this step" in text


def test_every_shipped_test_file_parses() -> None:
    configuration = Configuration.load(E2E_DIR / "testing.json", env={})
    files = [load_test_file(path, configuration) for path in find_test_files()]
    assert len(files) >= 10
    assert all(case.steps[0].utterance == "$DIAL" for file in files for case in file.cases)
