"""telephony.twilio_rest: settings from the environment, routing to the emulator by
configuration only, and every failure turned into a TelephonyError that keeps the token secret.

The client is the real twilio library over loopback HTTP against the emulator served in process.
"""

from __future__ import annotations

import pytest

from emulators.twilio_call import new_call_sid
from settings import TWILIO_EMULATOR_ACCOUNT_SID as EMULATOR_ACCOUNT_SID
from settings import SettingsError, TwilioRestSettings
from stack.processes import free_port
from telephony.twilio_rest import RoutedHttpClient, TelephonyError, TwilioRest
from tests.twilio_fixtures import (
    AGENT,
    SUPPORT,
    RunningTwilioEmulator,
)

TWIML = "<Response><Say>Hello</Say><Hangup/></Response>"
REAL_SID = "AC" + "a1" * 16


@pytest.fixture
def rest(emulator: RunningTwilioEmulator) -> TwilioRest:
    return TwilioRest(emulator.rest_settings())


# -- settings ----------------------------------------------------------------------------------


def test_settings_default_to_the_emulator_account_when_a_base_url_is_set():
    settings = TwilioRestSettings.from_env(
        {"TWILIO_AUTH_TOKEN": "t0ken", "TWILIO_API_BASE_URL": "http://127.0.0.1:8090/"}
    )
    assert settings == TwilioRestSettings(
        EMULATOR_ACCOUNT_SID, "t0ken", "http://127.0.0.1:8090", 5.0
    )


def test_settings_for_real_twilio_need_the_account_sid():
    with pytest.raises(SettingsError, match="TWILIO_ACCOUNT_SID"):
        TwilioRestSettings.from_env({"TWILIO_AUTH_TOKEN": "t0ken"})
    settings = TwilioRestSettings.from_env(
        {
            "TWILIO_ACCOUNT_SID": REAL_SID,
            "TWILIO_AUTH_TOKEN": "t0ken",
            "TWILIO_REST_TIMEOUT_SECONDS": "2.5",
        }
    )
    assert (settings.api_base_url, settings.timeout_seconds) == (None, 2.5)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"TWILIO_ACCOUNT_SID": REAL_SID}, "TWILIO_AUTH_TOKEN"),
        ({"TWILIO_ACCOUNT_SID": "ACnope", "TWILIO_AUTH_TOKEN": "t"}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_AUTH_TOKEN": "t", "TWILIO_API_BASE_URL": "localhost:8090"}, "BASE_URL"),
        (
            {
                "TWILIO_ACCOUNT_SID": REAL_SID,
                "TWILIO_AUTH_TOKEN": "t",
                "TWILIO_REST_TIMEOUT_SECONDS": "x",
            },
            "TWILIO_REST_TIMEOUT_SECONDS",
        ),
        (
            {
                "TWILIO_ACCOUNT_SID": REAL_SID,
                "TWILIO_AUTH_TOKEN": "t",
                "TWILIO_REST_TIMEOUT_SECONDS": "0",
            },
            "TWILIO_REST_TIMEOUT_SECONDS",
        ),
    ],
)
def test_bad_settings_name_the_variable(env, variable):
    with pytest.raises(SettingsError, match=variable):
        TwilioRestSettings.from_env(env)


def test_settings_and_client_never_show_the_token():
    settings = TwilioRestSettings(REAL_SID, "s3cret-token", None, 5.0)
    assert "s3cret-token" not in repr(settings)
    assert "s3cret-token" not in repr(TwilioRest(settings))


def test_routed_http_client_only_rewrites_the_twilio_api_host():
    client = RoutedHttpClient("http://127.0.0.1:8090/twilio", 3.0)
    assert client.timeout == 3.0
    assert (
        client.route("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?Page=1")
        == "http://127.0.0.1:8090/twilio/2010-04-01/Accounts/AC1/Calls.json?Page=1"
    )
    assert client.route("https://api.dublin.ie1.twilio.com/2010-04-01/x").startswith(
        "http://127.0.0.1:8090/twilio/2010-04-01/x"
    )
    assert client.route("https://example.com/x") == "https://example.com/x"
    assert RoutedHttpClient(None, 3.0).route("https://api.twilio.com/x") == (
        "https://api.twilio.com/x"
    )


# -- requests against the emulator ----------------------------------------------------------


async def test_place_call_sends_what_the_hand_off_needs(emulator, rest):
    sid = await rest.place_call(
        to=AGENT,
        from_=SUPPORT,
        twiml=TWIML,
        status_callback="http://127.0.0.1:9/status?attempt=0",
        timeout_seconds=15,
    )
    call = emulator.call(sid)
    assert (call["to"], call["from"], call["direction"]) == (AGENT, SUPPORT, "outbound-api")
    assert call["status_callback"] == "http://127.0.0.1:9/status?attempt=0"
    assert call["status_callback_events"] == ["initiated", "ringing", "answered", "completed"]
    assert call["timeout"] == 15
    finished = emulator.wait_for_call(sid, lambda c: c["status"] == "completed")
    assert finished["heard"] == ["Hello"]


async def test_redirect_call_moves_a_live_caller(emulator, rest):
    caller = new_call_sid()
    emulator.dial_in(caller, "+15555550100", SUPPORT)
    await rest.redirect_call(caller, "http://127.0.0.1:9/webhooks/twilio_voice/handoff_failed")
    assert emulator.call(caller)["redirects"][-1].endswith("/handoff_failed")


async def test_unknown_call_is_a_404_telephony_error(rest):
    with pytest.raises(TelephonyError) as caught:
        await rest.redirect_call(new_call_sid(), "http://127.0.0.1:9/x")
    assert (caught.value.status, caught.value.code) == (404, 20404)


async def test_rejected_parameters_are_a_400_telephony_error(rest):
    with pytest.raises(TelephonyError) as caught:
        await rest.place_call(
            to="nobody",
            from_=SUPPORT,
            twiml=TWIML,
            status_callback="http://127.0.0.1:9/s",
            timeout_seconds=15,
        )
    assert (caught.value.status, caught.value.code) == (400, 21217)


# -- faults ------------------------------------------------------------------------------------


async def test_wrong_token_is_a_401_without_the_token_in_the_message(emulator):
    settings = TwilioRestSettings(emulator.account_sid, "wrong-s3cret", emulator.base_url, 2.0)
    with pytest.raises(TelephonyError) as caught:
        await TwilioRest(settings).place_call(AGENT, SUPPORT, TWIML, "http://127.0.0.1:9/s", 15)
    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert "wrong-s3cret" not in str(caught.value)
    assert "place a call" in str(caught.value)


@pytest.mark.parametrize(("mode", "status"), [("unauthorized", 401), ("server_error", 500)])
async def test_api_faults_become_telephony_errors(emulator, rest, mode, status):
    emulator.set_fault(mode)
    with pytest.raises(TelephonyError) as caught:
        await rest.redirect_call(new_call_sid(), "http://127.0.0.1:9/x")
    assert caught.value.status == status
    assert emulator.auth_token not in str(caught.value)


async def test_slow_api_times_out_as_a_telephony_error(emulator):
    emulator.set_fault("slow", delay_seconds=2.0)
    rest = TwilioRest(emulator.rest_settings(timeout_seconds=0.3))
    with pytest.raises(TelephonyError, match=r"no answer within 0\.3 s"):
        await rest.place_call(AGENT, SUPPORT, TWIML, "http://127.0.0.1:9/s", 15)


async def test_unreachable_api_is_a_telephony_error():
    settings = TwilioRestSettings(
        EMULATOR_ACCOUNT_SID, "t0ken", f"http://127.0.0.1:{free_port()}", 1.0
    )
    with pytest.raises(TelephonyError, match="ConnectionError") as caught:
        await TwilioRest(settings).redirect_call(new_call_sid(), "http://127.0.0.1:9/x")
    assert caught.value.status is None
