"""The compose smoke call signs like Twilio and only passes on spoken TwiML."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from pytest_httpserver import HTTPServer
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse
from werkzeug import Request, Response

from channels.signature import SIGNATURE_HEADER, SignatureCheck
from deploy.smoke_call import WEBHOOK_PATH, call_started_form, main, sign, spoken_text
from settings import VoiceSettings

TOKEN = "smoke-test-token"


def test_signature_is_what_twilio_request_validator_accepts() -> None:
    url = "https://voice.example.com/webhooks/twilio_voice/webhook"
    form = call_started_form()
    signature = sign(url, form, TOKEN)
    assert RequestValidator(TOKEN).validate(url, form, signature)
    assert not RequestValidator("another-token").validate(url, form, signature)
    assert not RequestValidator(TOKEN).validate(url + "?x=1", form, signature)


def test_our_channel_accepts_the_smoke_signature_behind_public_url() -> None:
    public = "http://127.0.0.1:5005"
    form = call_started_form()
    settings = VoiceSettings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_URL": public})
    request = SimpleNamespace(  # what SignatureCheck reads of a Sanic request
        headers={SIGNATURE_HEADER: sign(public + WEBHOOK_PATH, form, TOKEN)},
        body=urlencode(form).encode(),
        scheme="http",
        host="rasa:5005",
        path=WEBHOOK_PATH,
        query_string="",
    )
    assert SignatureCheck(settings).is_valid(request)


def test_spoken_text_reads_every_say() -> None:
    twiml = VoiceResponse()
    twiml.say("Hello, this is the help desk.")
    assert spoken_text(str(twiml)) == ["Hello, this is the help desk."]
    with pytest.raises(ValueError, match="not TwiML"):
        spoken_text("<html/>")


def _serve(httpserver: HTTPServer, answer: Response) -> str:
    def handler(request: Request) -> Response:
        form = request.form.to_dict()
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not RequestValidator(TOKEN).validate(request.url, form, signature):
            return Response("invalid Twilio signature", status=403)
        return answer

    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_handler(handler)
    return httpserver.url_for(WEBHOOK_PATH)


def test_a_spoken_answer_passes(httpserver: HTTPServer) -> None:
    twiml = VoiceResponse()
    twiml.say("Hello.")
    url = _serve(httpserver, Response(str(twiml), content_type="text/xml"))
    assert main(["--url", url, "--auth-token", TOKEN]) == 0


def test_a_wrong_token_fails(httpserver: HTTPServer, capsys: pytest.CaptureFixture) -> None:
    url = _serve(httpserver, Response("<Response><Say>Hi</Say></Response>"))
    assert main(["--url", url, "--auth-token", "wrong"]) == 1
    assert "HTTP 403" in capsys.readouterr().err


def test_an_answer_without_speech_fails(httpserver: HTTPServer) -> None:
    url = _serve(httpserver, Response("<Response><Hangup/></Response>"))
    assert main(["--url", url, "--auth-token", TOKEN]) == 1


def test_help_and_missing_token(
    capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit) as shown:
        main(["--help"])
    assert shown.value.code == 0 and "--auth-token" in capsys.readouterr().out
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    with pytest.raises(SystemExit) as refused:
        main([])
    assert refused.value.code == 2 and "TWILIO_AUTH_TOKEN" in capsys.readouterr().err
