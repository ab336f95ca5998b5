"""The agent console in a real browser (headless Chromium from Debian, through Selenium)
against the production path of the session (tests/stacks.py: two Rasa replicas
behind nginx, PostgreSQL, Redis), while a test call runs through the signed voice
webhook.

An operator signs in, sees the call appear, opens it, watches a caller turn arrive
live, takes the call over (their phone rings on the Twilio emulator and joins the
caller's conference), and after the call labels the turn the assistant fell back on.
Screenshots of each page go to var/console-screenshots/ (or CONSOLE_SCREENSHOT_DIR).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from console.review import add_example
from emulators.twilio_call import Turn, TwilioCall
from settings import PROJECT_ROOT
from stack.isolated import IsolatedStack
from tests.stacks import OPERATOR, OPERATOR_PHONE, RASA_API_TOKEN
from tests.stacks import OPERATOR_PASSWORD as PASSWORD

pytestmark = [pytest.mark.integration]

# Under var/ (the session's stack carries other tests' calls too); CONSOLE_SCREENSHOT_DIR=docs/img
# refreshes the pictures of docs/console.md.
SCREENSHOTS = Path(
    os.environ.get("CONSOLE_SCREENSHOT_DIR") or PROJECT_ROOT / "var" / "console-screenshots"
)
# Debian's packages (scripts/install_browser.sh); never Selenium Manager's downloads.
CHROMEDRIVER = os.environ.get("CHROMEDRIVER") or "/usr/bin/chromedriver"
CHROMIUM = os.environ.get("CHROMIUM_BINARY") or "/usr/bin/chromium"
# Words the assistant cannot place: they fall back, and come back on the review page.
MUMBLE, MUMBLE_AGAIN = "xqzt vbnm plkj", "lorem ipsum dolor"


@pytest.fixture
def production(replicas: IsolatedStack) -> IsolatedStack:
    """The production path: the console swaps the model of both Rasa replicas."""
    return replicas


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    subprocess.run([str(PROJECT_ROOT / "scripts" / "install_browser.sh")], check=True)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--disable-gpu"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=ChromeService(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def console_url(stack: IsolatedStack) -> str:
    return stack.url("console")


def wait(browser: WebDriver, timeout: float = 10.0) -> WebDriverWait:
    # Pages reload and live parts re-render: look again rather than fail.
    return WebDriverWait(
        browser,
        timeout,
        poll_frequency=0.05,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    )


def shoot(browser: WebDriver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def sign_in(browser: WebDriver, base: str) -> None:
    browser.get(base + "/")
    if browser.current_url.endswith("/signin"):
        browser.find_element(By.NAME, "name").send_keys(OPERATOR)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "sign-in").click()
    wait(browser).until(lambda b: b.find_element(By.TAG_NAME, "h1").text == "Live calls")


def follow_rest_redirect(call: TwilioCall, timeout: float = 10.0) -> Turn:
    """Plays Twilio following ``calls(sid).update(url=...)`` while the caller is listening."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        turn = call.take_redirect()
        if turn is not None:
            return turn
        time.sleep(0.1)
    raise AssertionError("the console did not redirect the caller's live call")


def test_operator_watches_a_call_takes_it_over_and_labels_a_fallback(
    production: IsolatedStack, browser: WebDriver
) -> None:
    workdir = production.workdir
    base = console_url(production)

    # Sign in.
    browser.delete_all_cookies()
    browser.get(base + "/")
    assert browser.current_url.endswith("/signin"), "no session: the sign-in page"
    shoot(browser, "console-sign-in")
    sign_in(browser, base)

    # A call comes in and appears by itself, its number masked.
    call = TwilioCall(production.voice_url, production.twilio_url, caller="+15555550100")
    call.dial()
    row = f'tr[data-sid="{call.sid}"]'
    wait(browser).until(lambda b: "•••0100" in b.find_element(By.CSS_SELECTOR, row).text)
    shoot(browser, "console-live")
    assert "5555550100" not in browser.page_source

    # Open it and watch a caller turn arrive live.
    browser.find_element(By.CSS_SELECTOR, f"{row} a").click()
    wait(browser).until(lambda b: b.find_elements(By.ID, "transcript"))
    call.say(MUMBLE)
    # Live: the page shows it without a reload (the feed reads the broker 4 times a second).
    wait(browser).until(lambda b: MUMBLE in b.find_element(By.ID, "transcript").text)
    call.say(MUMBLE_AGAIN)
    wait(browser).until(
        lambda b: "repeated misunderstanding" in b.find_element(By.ID, "flags").text
    )
    call.say("my vpn keeps disconnecting")
    wait(browser).until(lambda b: "open_incident_form" in b.find_element(By.ID, "doing").text)
    shoot(browser, "console-call")

    # Take over: the caller hears a colleague is coming; the operator's phone rings.
    rung_before = len(production.twilio.agent_calls())
    browser.find_element(By.ID, "take-over").click()
    wait(browser).until(lambda b: "phone is ringing" in b.find_element(By.ID, "notice").text)
    holding = follow_rest_redirect(call)
    assert "bringing in a colleague" in holding.text
    assert holding.conference and holding.conference.startswith("handoff-")
    rung = production.twilio.agent_calls()[rung_before:]
    assert [c["to"] for c in rung] == [OPERATOR_PHONE], "only the operator's phone rings"
    assert call.wait_on_hold().agent_joined, "the operator pressed 1 and joined the caller"
    whisper = " ".join(production.twilio.agent_calls()[rung_before].get("heard", []))
    assert "vpn" in whisper.lower(), "the operator heard the whisper"
    wait(browser).until(lambda b: "INC" in b.find_element(By.ID, "incident").text)
    assert "5555550100" not in browser.page_source, "not even inside the whisper"
    assert not browser.find_element(By.ID, "take-over").is_displayed()
    shoot(browser, "console-take-over")
    call.hang_up()
    wait(browser).until(lambda b: "ended" in b.find_element(By.ID, "notice").text)

    # History: the ended call, found by its incident number.
    incident = browser.find_element(By.ID, "incident").text.strip()
    browser.get(f"{base}/history?incident={incident}")
    wait(browser).until(lambda b: "transfer" in b.find_element(By.TAG_NAME, "tbody").text)
    shoot(browser, "console-history")

    # Review: label the turn the assistant fell back on.
    browser.get(base + "/review")
    item = wait(browser).until(
        lambda b: next(
            (e for e in b.find_elements(By.CLASS_NAME, "review-item") if MUMBLE in e.text), None
        )
    )
    assert "fell back" in item.text
    shoot(browser, "console-review")
    Select(item.find_element(By.NAME, "label")).select_by_value("out_of_scope")
    item.find_element(By.CSS_SELECTOR, "button.label").click()
    wait(browser).until(lambda b: MUMBLE not in b.find_element(By.ID, "review-items").text)
    reviewed = yaml.safe_load((workdir / "reviewed.yml").read_text())
    [block] = [b for b in reviewed["nlu"] if b["intent"] == "out_of_scope"]
    assert MUMBLE in block["examples"]

    # The home page's pictures now count the call.
    browser.get(base + "/")
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "svg.chart")) == 4)
    shoot(browser, "console-home")
    browser.get(base + "/training")
    wait(browser).until(lambda b: b.find_element(By.ID, "example-count").text == "1")
    shoot(browser, "console-training")


def signed_in(base: str) -> tuple[requests.Session, str]:
    """A plain HTTP client signed in to the console, and its CSRF token."""
    session = requests.Session()
    page = session.get(base + "/signin", timeout=10).text
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    reply = session.post(
        base + "/signin",
        data={"csrf": token, "name": OPERATOR, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert reply.status_code == 303
    page = session.get(base + "/", timeout=10).text
    return session, page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def running_model(stack: IsolatedStack) -> str:
    reply = requests.get(f"{stack.voice_url}/status", params={"token": RASA_API_TOKEN}, timeout=10)
    reply.raise_for_status()
    return str(reply.json()["model_file"])


def test_rasa_api_needs_the_token(production: IsolatedStack) -> None:
    assert requests.get(f"{production.voice_url}/status", timeout=10).status_code == 401
    assert running_model(production)


def test_a_labelled_example_trains_and_activates_without_dropping_a_live_call(
    production: IsolatedStack, browser: WebDriver
) -> None:
    workdir = production.workdir
    base = console_url(production)
    add_example(workdir / "reviewed.yml", "out_of_scope", MUMBLE)
    session, token = signed_in(base)
    call = TwilioCall(production.voice_url, production.twilio_url)
    call.dial()
    assert "Tell me briefly" in call.say("my printer is broken").text
    before = running_model(production)

    reply = session.post(base + "/training/train", data={"csrf": token}, timeout=30)
    assert reply.status_code == 200
    deadline = time.monotonic() + 1200
    seen_progress: set[float] = set()
    while time.monotonic() < deadline:
        job = session.get(base + "/training/status", timeout=10).json()
        seen_progress.add(job["progress"])
        if job["state"] in ("ready", "failed"):
            break
        time.sleep(2)
    assert job["state"] == "ready", job["message"]
    assert len(seen_progress) > 3, "the progress bar moved along the way"
    assert job["accuracy_after"] is not None and job["accuracy_before"] is not None
    assert job["reviewed_after"] == 1.0, "the new model learned the labelled example"
    assert job["reviewed_before"] == 0.0, "the running model fell back on it"

    session.post(base + "/training/activate", data={"csrf": token}, timeout=300)
    assert running_model(production) == Path(job["model"]).name
    # The caller is still in the middle of the form: the next answer is understood.
    assert "How urgent" in call.say("it prints blank pages").text
    sign_in(browser, base)
    browser.get(base + "/training")
    wait(browser).until(lambda b: b.find_element(By.ID, "reviewed-after").text == "100.0%")
    shoot(browser, "console-training")

    session.post(base + "/training/rollback", data={"csrf": token}, timeout=300)
    assert running_model(production).startswith("before-console-")
    assert before == "current.tar.gz"
    assert "email" in call.press("1").text.lower()
    call.hang_up()
