"""Console settings: hashes only, required secrets named when missing."""

from __future__ import annotations

import pytest

from console.demo import ensure_operator, ensure_secrets
from console.passwords import hash_password, verify_password
from settings import SettingsError
from settings.console import ConsoleSettings, parse_operators

HASH = hash_password("a long passphrase", iterations=1000)
BASE = {
    "CONSOLE_OPERATORS": f"ada:+15555550142:{HASH}",
    "CONSOLE_SECRET": "x" * 20,
    "RASA_API_TOKEN": "t",
}


def test_a_hash_verifies_its_password_only() -> None:
    assert verify_password("a long passphrase", HASH)
    assert not verify_password("a long passphrasE", HASH)
    assert not verify_password("", HASH)
    assert not verify_password("a long passphrase", "plain-text")


def test_a_plain_password_in_the_operators_is_refused() -> None:
    with pytest.raises(SettingsError, match="never a password"):
        parse_operators("ada:+15555550142:hunter2")


def test_a_phone_that_cannot_be_rung_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"E\.164"):
        parse_operators(f"ada:5550142:{HASH}")


@pytest.mark.parametrize("missing", ["CONSOLE_OPERATORS", "CONSOLE_SECRET", "RASA_API_TOKEN"])
def test_a_missing_required_setting_is_named(missing: str) -> None:
    env = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        ConsoleSettings.from_env(env)


def test_defaults() -> None:
    settings = ConsoleSettings.from_env(BASE)
    assert (settings.port, settings.retention_days, settings.signin_limit) == (8070, 30, 5)
    assert "token-value-xyz" not in repr(settings), "the token is never printed"
    assert "x" * 20 not in repr(settings), "nor the secret"


def test_a_local_stack_gets_its_own_operator_token_and_secret() -> None:
    env: dict[str, str] = {"HANDOFF_AGENT_NUMBERS": "+15555550143,+15555550142"}
    password = ensure_operator(env)
    ensure_secrets(env)
    assert password and password not in env["CONSOLE_OPERATORS"]
    settings = ConsoleSettings.from_env(env)
    [operator] = settings.operators
    assert (operator.name, operator.phone) == ("demo", "+15555550143")
    assert verify_password(password, operator.password_hash)
    assert ensure_operator(env) is None, "configured operators are left alone"
