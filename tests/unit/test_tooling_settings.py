"""settings/tooling.py: the emulators', the model cache's, e2e-audio's and the smoke
call's settings: defaults, values read, and one clear error per bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.smoke_call import WEBHOOK_PATH
from settings import SettingsError
from settings.tooling import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_SMOKE_URL,
    AudioE2ESettings,
    EmulatorSettings,
    ModelCacheSettings,
    ServiceNowEmulatorSettings,
    SmokeCallSettings,
    TwilioEmulatorSettings,
)


def test_emulator_defaults_are_the_given_port_and_no_fault() -> None:
    settings = EmulatorSettings.from_env("SNOW_EMULATOR_PORT", 8089, {})
    assert settings == EmulatorSettings(port=8089, fault=None, fault_delay_seconds=5.0)


def test_emulator_fault_variables_share_the_port_variables_prefix() -> None:
    env = {
        "TWILIO_EMULATOR_PORT": "9001",
        "TWILIO_EMULATOR_FAULT": "slow",
        "TWILIO_EMULATOR_FAULT_DELAY": "2.5",
        "SNOW_EMULATOR_FAULT": "rate_limit",  # another emulator's
    }
    settings = EmulatorSettings.from_env("TWILIO_EMULATOR_PORT", 8090, env)
    assert settings == EmulatorSettings(port=9001, fault="slow", fault_delay_seconds=2.5)


@pytest.mark.parametrize(
    ("name", "value"),
    [("SNOW_EMULATOR_PORT", "eighty"), ("SNOW_EMULATOR_FAULT_DELAY", "soon")],
)
def test_a_malformed_emulator_number_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        EmulatorSettings.from_env("SNOW_EMULATOR_PORT", 8089, {name: value})


def test_servicenow_emulator_account_defaults_to_admin_and_hides_the_password() -> None:
    assert ServiceNowEmulatorSettings.from_env({}) == ServiceNowEmulatorSettings("admin", "admin")
    account = ServiceNowEmulatorSettings.from_env(
        {"SNOW_EMULATOR_USER": "bot", "SNOW_EMULATOR_PASSWORD": "s3cret"}
    )
    assert (account.user, account.password) == ("bot", "s3cret")
    assert "s3cret" not in repr(account)


def test_twilio_emulator_defaults_and_values() -> None:
    assert TwilioEmulatorSettings.from_env({}) == TwilioEmulatorSettings(
        DEFAULT_ACCOUNT_SID, "", "accept", 1.0, 0.1
    )
    settings = TwilioEmulatorSettings.from_env(
        {
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_AUTH_TOKEN": "token",
            "TWILIO_EMULATOR_AGENT_BEHAVIOUR": "manual",
            "TWILIO_EMULATOR_RING_SECONDS": "0.2",
            "TWILIO_EMULATOR_TIME_SCALE": "1",
        }
    )
    assert settings == TwilioEmulatorSettings("AC" + "1" * 32, "token", "manual", 0.2, 1.0)
    assert "token" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TWILIO_EMULATOR_AGENT_BEHAVIOUR", "hang-up"),
        ("TWILIO_EMULATOR_RING_SECONDS", "one"),
        ("TWILIO_EMULATOR_TIME_SCALE", "fast"),
    ],
)
def test_a_bad_twilio_emulator_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        TwilioEmulatorSettings.from_env({name: value})


def test_model_cache_defaults_to_the_users_cache() -> None:
    default = ModelCacheSettings.from_env({})
    assert default.models_dir == Path.home() / ".cache" / "helpdesk-voice" / "models"
    chosen = ModelCacheSettings.from_env({"HELPDESK_CACHE_DIR": "/srv/cache"})
    assert chosen.models_dir == Path("/srv/cache/models")


def test_audio_suite_defaults_to_whisper_and_kal16() -> None:
    assert AudioE2ESettings.from_env({}) == AudioE2ESettings("whisper", "flite:kal16")
    chosen = AudioE2ESettings.from_env(
        {"E2E_AUDIO_ENGINE": "pocketsphinx", "E2E_AUDIO_VOICE": "espeak-ng:en-us"}
    )
    assert chosen == AudioE2ESettings("pocketsphinx", "espeak-ng:en-us")


def test_smoke_call_defaults_to_the_local_webhook_without_a_token() -> None:
    assert DEFAULT_SMOKE_URL == f"http://127.0.0.1:5005{WEBHOOK_PATH}"
    assert SmokeCallSettings.from_env({}) == SmokeCallSettings(DEFAULT_SMOKE_URL, None, None)
    chosen = SmokeCallSettings.from_env(
        {
            "SMOKE_URL": "https://voice.example.com/webhooks/twilio_voice/webhook",
            "PUBLIC_URL": "https://voice.example.com",
            "TWILIO_AUTH_TOKEN": "token",
        }
    )
    assert chosen.public_url == "https://voice.example.com"
    assert chosen.auth_token == "token"
    assert "token" not in repr(chosen).replace("auth_token", "")
