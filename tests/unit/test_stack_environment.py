"""Every local URL of the stack follows its ports, so two stacks never cross-wire."""

from __future__ import annotations

from pathlib import Path

from stack.isolated import isolated_environment
from stack.local import Ports, build_services, stack_environment

PORTS = Ports(rasa=6005, actions=6055, duckling=6000, servicenow=6089, twilio=6090)
FIRST_STACK = {
    "SNOW_HOST": "127.0.0.1:8089",
    "TWILIO_API_BASE_URL": "http://127.0.0.1:8090",
    "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
    "RASA_DUCKLING_HTTP_URL": "http://localhost:8000",
}


def test_local_urls_left_in_env_follow_the_new_ports() -> None:
    env = stack_environment(PORTS, FIRST_STACK)
    assert env["SNOW_HOST"] == "127.0.0.1:6089"
    assert env["TWILIO_API_BASE_URL"] == "http://127.0.0.1:6090"
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:6055/webhook"
    assert env["RASA_DUCKLING_HTTP_URL"] == "http://127.0.0.1:6000"
    assert env["RASA_PORT"] == "6005"


def test_a_remote_system_set_explicitly_is_kept() -> None:
    env = stack_environment(
        PORTS,
        {"SNOW_HOST": "helpdesk.example.com", "TWILIO_API_BASE_URL": "https://api.twilio.com"},
    )
    assert env["SNOW_HOST"] == "helpdesk.example.com"
    assert env["TWILIO_API_BASE_URL"] == "https://api.twilio.com"


def test_a_servicenow_instance_is_never_replaced_by_the_emulator() -> None:
    env = stack_environment(PORTS, {"SNOW_INSTANCE": "dev12345", "SNOW_HOST": ""})
    assert env.get("SNOW_HOST", "") == ""


def test_a_test_stack_talks_to_its_emulators_whatever_the_developer_set() -> None:
    developer = {"SNOW_INSTANCE": "dev12345", "TWILIO_API_BASE_URL": "https://api.twilio.com"}
    env = isolated_environment(PORTS, auth_token="t", stores={}, base=developer)
    assert (env["SNOW_INSTANCE"], env["SNOW_HOST"]) == ("", "127.0.0.1:6089")
    assert env["TWILIO_API_BASE_URL"] == "http://127.0.0.1:6090"


def test_only_the_rasa_process_gets_the_twilio_account(tmp_path: Path) -> None:
    env = {
        **stack_environment(PORTS, FIRST_STACK),
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": "secret-token",
        "RASA_API_TOKEN": "t",
        "RASA_EVENT_BROKER_DB": str(tmp_path / "events.sqlite3"),
    }
    services = build_services(PORTS, tmp_path, env, tmp_path / "snow.db", tmp_path / "m.tar.gz")
    account = {s.name: s.env.get("TWILIO_AUTH_TOKEN") for s in services}
    assert account["rasa"] == "secret-token"
    assert account["action-server"] == "" and account["console"] == ""
