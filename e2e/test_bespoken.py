"""The Bespoken end-to-end tests, played offline against the local stack.

Every test in ``e2e/tests/*.e2e.yml`` becomes one pytest test and one phone
call: the offline device's call engine plays Twilio and the caller against the
voice webhook of the whole stack (started once, on free ports), and each step's
assertions are checked the way ``bst test`` checks them. A failure lists every
failed step with what was heard, then the whole call.

    make e2e                                # or: .venv/bin/pytest e2e
    E2E_EXCLUDE_TAGS= make e2e              # run every tag, hand-off included
    E2E_INCLUDE_TAGS=offline-only make e2e  # only tests with these tags

Tags in testing.json's ``exclude`` (today: ``handoff``) are skipped unless
``E2E_EXCLUDE_TAGS`` says otherwise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from e2e.device.__main__ import PLACEHOLDER_NUMBER, device_service
from e2e.device.local_stack import LocalStack, local_stack
from e2e.runner.check import report
from e2e.runner.play import play_case
from e2e.runner.suite import (
    E2E_DIR,
    Case,
    Configuration,
    SuiteError,
    TestFile,
    find_test_files,
    load_test_file,
    skip_reasons,
)
from emulators.twilio_call import TwilioCall
from stack.processes import free_port

pytestmark = [pytest.mark.slow, pytest.mark.integration]

CONFIGURATION = Configuration.load(E2E_DIR / "testing.json")


def _tags_from_env(name: str) -> list[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return [tag.strip() for tag in raw.split(",") if tag.strip()]


def collect() -> list:
    params = []
    include, exclude = _tags_from_env("E2E_INCLUDE_TAGS"), _tags_from_env("E2E_EXCLUDE_TAGS")
    for path in find_test_files():
        try:
            file = load_test_file(path, CONFIGURATION)
        except SuiteError as error:
            params.append(pytest.param(None, None, str(error), id=path.name))
            continue
        for case, reason in skip_reasons(file, CONFIGURATION, include, exclude):
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            params.append(
                pytest.param(file, case, None, id=f"{path.name}::{case.name}", marks=marks)
            )
    return params


@pytest.fixture(scope="session")
def offline_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with local_stack(tmp_path_factory.mktemp("e2e-stack")) as stack:
        yield stack


@pytest.mark.parametrize(("file", "case", "problem"), collect())
def test_bespoken(
    file: TestFile | None, case: Case | None, problem: str | None, offline_stack: LocalStack
) -> None:
    if problem is not None or file is None or case is None:
        pytest.fail(problem or "no test", pytrace=False)
    call = TwilioCall(
        offline_stack.voice_url,
        offline_stack.auth_token,
        called=PLACEHOLDER_NUMBER,
        twilio_api_url=offline_stack.emulators.get("twilio"),
    )
    outcomes = play_case(call, offline_stack.emulators, CONFIGURATION, file, case)
    if any(not outcome.passed for outcome in outcomes):
        pytest.fail(f"{file.path.name}: {report(case, outcomes, call.transcript)}", pytrace=False)


# -- the device API that `bst test` calls ------------------------------------------


def _sdk_path(route: str, params: dict[str, str]) -> str:
    """A path the way virtual-device-sdk builds it: components encoded, then encodeURI."""
    component_safe = "-_.!~*'()"
    query = "".join(
        f"&{name}={quote(value, safe=component_safe)}" for name, value in params.items()
    )
    return quote(f"/{route}?{query}", safe=component_safe + ";,/?:@&=+$#")


@pytest.fixture(scope="session")
def device_url(
    offline_stack: LocalStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    port = free_port()
    service = device_service(
        port, offline_stack.voice_url, offline_stack.emulators, offline_stack.auth_token
    )
    service.log_path = Path(tmp_path_factory.mktemp("device")) / "device.log"
    service.start()
    try:
        service.wait_healthy(timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        service.stop()


def test_device_plays_an_async_conversation_as_bespoken_does(device_url: str) -> None:
    path = _sdk_path(
        "batch_process",
        {
            "user_id": "twilio-offline-device",
            "phone_number": PLACEHOLDER_NUMBER,
            "async_mode": "true",
            "language_code": "en-US",
            "voice_id": "Joey-neural",
            "repeatOnPhrase": "Sorry, I didn't catch that",
        },
    )
    messages = [
        {"text": "$DIAL", "phrases": ["help desk"], "settings": {}},
        {"text": "check my ticket", "phrases": [], "settings": {}},
        {
            "text": "abraham dot lincoln at example dot com",
            "phrases": [],
            "settings": {"finishOnPhrase": "anything else"},
        },
    ]
    started = requests.post(device_url + path, json={"messages": messages}, timeout=10)
    assert started.status_code == 200, started.text
    uuid = started.json()["conversation_id"]
    deadline = time.monotonic() + 60
    body: dict = {}
    while time.monotonic() < deadline:
        reply = requests.get(f"{device_url}/conversation?uuid={uuid}", timeout=2)
        body = reply.json()
        if body["status"] != "IN_PROGRESS":
            break
        time.sleep(0.2)
    assert body["status"] == "COMPLETED", body
    transcripts = [result["transcript"] for result in body["results"]]
    assert [result["message"] for result in body["results"]] == [m["text"] for m in messages]
    assert "help desk" in transcripts[0]
    assert "email" in transcripts[1]
    assert "open tickets. I N C" in transcripts[2]
    assert transcripts[2].endswith("Is there anything else")  # finishOnPhrase cuts there


def test_device_answers_sync_batches_stops_and_takes_reports(device_url: str) -> None:
    path = _sdk_path("batch_process", {"user_id": "twilio-offline-device"})
    reply = requests.post(device_url + path, json={"messages": [{"text": "$DIAL"}]}, timeout=30)
    assert reply.status_code == 200
    assert "What can I help you with?" in reply.json()["results"][0]["transcript"]

    assert requests.post(device_url + path, json={"messages": []}, timeout=5).status_code == 400
    unsigned = _sdk_path("batch_process", {"async_mode": "true"})
    missing_token = requests.post(
        device_url + unsigned, json={"messages": [{"text": "hi"}]}, timeout=5
    )
    assert missing_token.status_code == 400
    assert "user_id" in missing_token.json()["error"]
    unknown = requests.post(f"{device_url}/conversation_stop", json={"uuid": "nope"}, timeout=5)
    assert unknown.status_code == 404

    stored = requests.post(f"{device_url}/reporting/testResults", json=[{"test": "x"}], timeout=5)
    assert stored.status_code == 200
    reports = requests.get(f"{device_url}/reporting/testResults", timeout=5).json()["reports"]
    assert reports[-1] == [{"test": "x"}]
