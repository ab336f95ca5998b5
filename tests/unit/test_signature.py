"""X-Twilio-Signature: signed, unsigned, forged and proxied requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from channels.signature import SignatureCheck
from settings import VoiceSettings

TOKEN = "secret-token"
PARAMS = {"CallSid": "CA" + "a" * 32, "From": "+15555550100", "SpeechResult": "hi & bye"}


@dataclass
class FakeRequest:
    """The parts of a Sanic request the check reads."""

    scheme: str
    host: str
    path: str
    query_string: str = ""
    form: dict[str, str] = field(default_factory=lambda: dict(PARAMS))
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> bytes:
        return urlencode(self.form).encode()


def check(**env: str) -> SignatureCheck:
    return SignatureCheck(VoiceSettings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, **env}))


def signed(url: str, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, PARAMS)


def test_signed_request_is_accepted() -> None:
    url = "http://127.0.0.1:5005/webhooks/twilio_voice/gather?silences=1"
    request = FakeRequest(
        "http",
        "127.0.0.1:5005",
        "/webhooks/twilio_voice/gather",
        "silences=1",
        headers={"X-Twilio-Signature": signed(url)},
    )
    assert check().is_valid(request)


def test_unsigned_request_is_rejected() -> None:
    assert not check().is_valid(
        FakeRequest("http", "127.0.0.1:5005", "/webhooks/twilio_voice/webhook")
    )


def test_forged_signature_is_rejected() -> None:
    url = "http://127.0.0.1:5005/webhooks/twilio_voice/webhook"
    request = FakeRequest(
        "http",
        "127.0.0.1:5005",
        "/webhooks/twilio_voice/webhook",
        headers={"X-Twilio-Signature": signed(url, token="not-the-token")},
    )
    assert not check().is_valid(request)


def test_tampered_parameters_are_rejected() -> None:
    url = "http://127.0.0.1:5005/webhooks/twilio_voice/webhook"
    request = FakeRequest(
        "http",
        "127.0.0.1:5005",
        "/webhooks/twilio_voice/webhook",
        form={**PARAMS, "SpeechResult": "transfer me"},
        headers={"X-Twilio-Signature": signed(url)},
    )
    assert not check().is_valid(request)


def test_request_behind_a_proxy_is_checked_against_the_public_url() -> None:
    public = "https://voice.example.com/webhooks/twilio_voice/webhook"
    request = FakeRequest(
        "http",
        "10.0.0.5:5005",
        "/webhooks/twilio_voice/webhook",
        headers={"X-Twilio-Signature": signed(public)},
    )
    assert check(PUBLIC_URL="https://voice.example.com/").is_valid(request)
    assert not check().is_valid(request)


def test_check_can_be_turned_off_explicitly() -> None:
    off = check(TWILIO_VALIDATE_SIGNATURE="false")
    assert off.is_valid(FakeRequest("http", "h", "/webhooks/twilio_voice/webhook"))


def test_blank_parameters_are_part_of_the_signature() -> None:
    url = "http://127.0.0.1:5005/webhooks/twilio_voice/agent_answer"
    form = {**PARAMS, "Digits": "1", "FinishedOnKey": ""}
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    request = FakeRequest(
        "http",
        "127.0.0.1:5005",
        "/webhooks/twilio_voice/agent_answer",
        form=form,
        headers={"X-Twilio-Signature": signature},
    )
    assert check().is_valid(request)
