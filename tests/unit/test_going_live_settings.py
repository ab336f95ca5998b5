"""Going live cannot leak secrets: HTTPS to ServiceNow, a known public URL for signatures."""

from __future__ import annotations

import pytest

from settings import ServiceNowSettings, SettingsError, StackSettings, VoiceSettings

TOKEN = {"TWILIO_AUTH_TOKEN": "test-token"}


def test_snow_instance_means_https() -> None:
    settings = ServiceNowSettings.from_env({"SNOW_INSTANCE": "acme"})
    assert settings.use_ssl is True
    assert settings.host is None


def test_plain_http_with_snow_instance_is_refused_naming_the_fix() -> None:
    with pytest.raises(SettingsError) as error:
        ServiceNowSettings.from_env({"SNOW_INSTANCE": "acme", "SNOW_USE_SSL": "false"})
    assert "SNOW_USE_SSL" in str(error.value)
    assert "SNOW_INSTANCE" in str(error.value)
    assert "set it to true" in str(error.value)


@pytest.mark.parametrize(
    "host", ["acme.service-now.com", "ACME.Service-Now.com:443", "acme.service-now.com."]
)
def test_plain_http_to_a_service_now_host_is_refused(host: str) -> None:
    with pytest.raises(SettingsError, match="SNOW_HOST"):
        ServiceNowSettings.from_env({"SNOW_HOST": host, "SNOW_USE_SSL": "false"})


def test_a_service_now_host_defaults_to_https() -> None:
    assert ServiceNowSettings.from_env({"SNOW_HOST": "acme.service-now.com"}).use_ssl is True


@pytest.mark.parametrize("host", ["127.0.0.1:8089", "snow.internal:8080", "not-service-now.com"])
def test_plain_http_to_the_emulator_or_a_private_host_is_allowed(host: str) -> None:
    settings = ServiceNowSettings.from_env({"SNOW_HOST": host, "SNOW_USE_SSL": "false"})
    assert settings.use_ssl is False


def test_rasa_binds_loopback_by_default() -> None:
    assert StackSettings.from_env({}).rasa_interface == "127.0.0.1"
    assert StackSettings.from_env({"RASA_INTERFACE": "0.0.0.0"}).rasa_interface == "0.0.0.0"


@pytest.mark.parametrize("interface", ["0.0.0.0", "10.0.0.5", "::", "voice.example.com"])
def test_a_public_bind_with_signatures_requires_public_url(interface: str) -> None:
    with pytest.raises(SettingsError) as error:
        VoiceSettings.from_env({**TOKEN, "RASA_INTERFACE": interface})
    assert "PUBLIC_URL" in str(error.value)
    assert f"RASA_INTERFACE={interface}" in str(error.value)


def test_a_public_bind_with_public_url_is_accepted() -> None:
    env = {**TOKEN, "RASA_INTERFACE": "0.0.0.0", "PUBLIC_URL": "https://voice.example.com"}
    assert VoiceSettings.from_env(env).public_url == "https://voice.example.com"


@pytest.mark.parametrize("interface", ["127.0.0.1", "::1", "localhost"])
def test_a_loopback_bind_needs_no_public_url(interface: str) -> None:
    assert VoiceSettings.from_env({**TOKEN, "RASA_INTERFACE": interface}).public_url is None


def test_a_public_bind_without_signature_checks_needs_no_public_url() -> None:
    env = {"TWILIO_VALIDATE_SIGNATURE": "false", "RASA_INTERFACE": "0.0.0.0"}
    assert VoiceSettings.from_env(env).validate_signature is False
