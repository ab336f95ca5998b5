"""The Twilio emulator honours the REST contract twilio-python relies on, and plays the phone
network of a hand-off: agent phones ring, answer, hear the whisper, press keys, join the
conference, and every webhook and status callback arrives signed as Twilio signs it.

Real loopback HTTP against the emulator served in process; "our channel" is a tiny aiohttp server.
"""

from __future__ import annotations

import pytest
import requests
from twilio.rest import Client

from emulators.twilio_api.twiml_runner import APPLICATION_ERROR
from emulators.twilio_call import new_call_sid
from telephony.twilio_rest import RoutedHttpClient, TwilioRest
from tests.twilio_fixtures import (
    AGENT,
    CALLER,
    DECLINED,
    NO_ANSWER,
    SUPPORT,
    WHISPER,
    FakeChannel,
    Received,
    RunningTwilioEmulator,
    probe,
)


@pytest.fixture
def channel(fake_channel: FakeChannel) -> FakeChannel:
    return fake_channel


@pytest.fixture
def rest(emulator: RunningTwilioEmulator) -> TwilioRest:
    return TwilioRest(emulator.rest_settings())


def conference_name() -> str:
    return f"handoff-{new_call_sid()[2:18]}"


def caller_on_hold(emulator: RunningTwilioEmulator, channel: FakeChannel, conference: str) -> str:
    """A caller leg that dialled in and was put on hold in the conference."""
    sid = new_call_sid()
    emulator.dial_in(sid, CALLER, SUPPORT, channel.caller_url(conference))
    emulator.wait_for_call(sid, lambda c: c["conference"] == conference)
    return sid


async def ring_agent(
    rest: TwilioRest, channel: FakeChannel, conference: str, to: str = AGENT, timeout: int = 20
) -> str:
    return await rest.place_call(
        to=to,
        from_=SUPPORT,
        twiml=channel.redirect_twiml(conference),
        status_callback=channel.status_url(conference),
        timeout_seconds=timeout,
    )


def statuses(callbacks: list[Received]) -> list[str]:
    return [c.params["CallStatus"] for c in callbacks]


def participants(emulator: RunningTwilioEmulator, conference: str) -> list[str]:
    """The calls in the live conference ``conference``, as the call views show them."""
    return [call["sid"] for call in emulator.calls() if call["conference"] == conference]


def agent_joined(emulator: RunningTwilioEmulator, caller: str) -> bool:
    """Whether the caller's conference has started with someone else in it."""
    return emulator.caller(caller, "listen", None, 5, [0, 0, 0])["agent_joined"]


def ended(call: dict) -> bool:
    return call["status"] in ("completed", "busy", "no-answer", "canceled", "failed")


# -- REST contract ---------------------------------------------------------------------------


def test_created_call_is_queued_and_can_be_fetched(emulator, channel):
    created = emulator.api(
        "POST",
        "/Calls.json",
        data={"To": AGENT, "From": SUPPORT, "Twiml": "<Response><Say>Hi</Say></Response>"},
    )
    assert created.status_code == 201, created.text
    call = created.json()
    assert call["sid"].startswith("CA") and len(call["sid"]) == 34
    assert call["status"] == "queued"
    assert (call["to"], call["from"], call["direction"]) == (AGENT, SUPPORT, "outbound-api")
    assert call["account_sid"] == emulator.account_sid
    assert call["uri"] == f"/2010-04-01/Accounts/{emulator.account_sid}/Calls/{call['sid']}.json"
    assert call["date_created"].endswith("+0000")


def test_twilio_library_places_a_call_through_the_routed_client(emulator):
    client = Client(
        emulator.account_sid,
        emulator.auth_token,
        http_client=RoutedHttpClient(emulator.base_url, 2.0),
    )
    call = client.calls.create(to=AGENT, from_=SUPPORT, twiml="<Response><Hangup/></Response>")
    assert (call.to, call._from, call.direction) == (AGENT, SUPPORT, "outbound-api")
    assert call.date_created is not None


def test_wrong_token_is_refused_with_twilio_error_20003(emulator):
    reply = probe(emulator, auth=(emulator.account_sid, "not-the-token"))
    assert reply.status_code == 401
    assert reply.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert probe(emulator, auth=None).status_code == 401


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"From": SUPPORT, "Url": "http://example.com/x"}, 21201),
        ({"To": AGENT, "Url": "http://example.com/x"}, 21213),
        ({"To": AGENT, "From": SUPPORT}, 21205),
        ({"To": AGENT, "From": SUPPORT, "Url": "not a url"}, 21205),
        ({"To": "nobody", "From": SUPPORT, "Url": "http://example.com/x"}, 21217),
        ({"To": AGENT, "From": SUPPORT, "Twiml": "<Response>"}, 21200),
        ({"To": AGENT, "From": SUPPORT, "Url": "http://e.com/x", "Timeout": "soon"}, 21200),
    ],
)
def test_bad_call_parameters_are_400_with_a_twilio_code(emulator, data, code):
    reply = emulator.api("POST", "/Calls.json", data=data)
    assert reply.status_code == 400, reply.text
    assert reply.json()["code"] == code
    assert reply.json()["message"]


def test_unknown_route_call_and_other_account_are_404(emulator):
    other = "AC" + "1" * 32
    reply = requests.post(
        f"{emulator.base_url}/2010-04-01/Accounts/{other}/Calls.json",
        data={"To": AGENT, "From": SUPPORT, "Twiml": "<Response/>"},
        auth=(emulator.account_sid, emulator.auth_token),
        timeout=5,
    )
    assert reply.status_code == 404
    assert emulator.api("GET", "/Queues.json").json()["code"] == 20404
    assert probe(emulator).json()["code"] == 20404  # an unknown call


async def test_url_update_moves_a_caller_out_of_the_conference_to_the_new_twiml(
    emulator, channel, rest
):
    conference = conference_name()
    caller = caller_on_hold(emulator, channel, conference)
    url = f"{channel.base_url}/broken"

    await rest.redirect_call(caller, url)

    call = emulator.wait_for_call(caller, ended)
    assert call["redirects"] == [url]
    assert call["documents"][-1] == url  # fetched; it answered 500: an application error
    assert call["heard"] == [APPLICATION_ERROR]
    assert call["conference"] is None  # a redirected call leaves its conference
    assert participants(emulator, conference) == []  # it was alone: the conference ended


async def test_redirecting_an_ended_call_is_21220(emulator, rest):
    caller = new_call_sid()
    emulator.dial_in(caller, CALLER, SUPPORT)
    emulator.hang_up(caller)
    reply = emulator.api("POST", f"/Calls/{caller}.json", data={"Url": "http://127.0.0.1:9/next"})
    assert reply.status_code == 400
    assert reply.json()["code"] == 21220


# -- the phone network: agent legs --------------------------------------------------------------


async def test_accepting_agent_hears_whisper_presses_1_and_joins_conference(
    emulator, channel, rest
):
    conference = conference_name()
    caller = caller_on_hold(emulator, channel, conference)
    assert participants(emulator, conference) == [caller]
    assert not agent_joined(emulator, caller)  # the conference has not started

    agent = await ring_agent(rest, channel, conference)
    call = emulator.wait_for_call(agent, lambda c: c["conference"] == conference)

    assert call["status"] == "in-progress"
    assert call["heard"] == [WHISPER]
    assert call["digits"] == ["1"]
    assert agent_joined(emulator, caller)  # the agent started the conference
    assert sorted(participants(emulator, conference)) == sorted([caller, agent])

    pages = [r for r in channel.received if r.path.endswith("/agent")]
    assert [r.params.get("Digits") for r in pages] == [None, "1"]
    assert all(r.signature_valid for r in pages)
    assert pages[0].params["CallSid"] == agent
    assert pages[0].params["Direction"] == "outbound-api"

    callbacks = channel.wait_for_callbacks(3)
    assert statuses(callbacks) == ["initiated", "ringing", "in-progress"]
    assert [c.params["SequenceNumber"] for c in callbacks] == ["0", "1", "2"]
    assert all(c.signature_valid for c in callbacks)


async def test_conference_ends_when_the_caller_leaves_and_agent_leg_completes(
    emulator, channel, rest
):
    conference = conference_name()
    caller = caller_on_hold(emulator, channel, conference)
    agent = await ring_agent(rest, channel, conference)
    emulator.wait_for_call(agent, lambda c: c["conference"] == conference)

    emulator.hang_up(caller)

    call = emulator.wait_for_call(agent, ended)
    assert call["status"] == "completed"
    assert participants(emulator, conference) == []  # the caller ended the conference
    callbacks = channel.wait_for_callbacks(4)
    assert callbacks[-1].params["CallStatus"] == "completed"
    assert "CallDuration" in callbacks[-1].params
    assert all(c.signature_valid for c in callbacks)


async def test_declining_agent_presses_9_and_hangs_up(emulator, channel, rest):
    conference = conference_name()
    caller = caller_on_hold(emulator, channel, conference)
    emulator.set_agent(AGENT, "decline")

    agent = await ring_agent(rest, channel, conference)
    call = emulator.wait_for_call(agent, ended)

    assert call["status"] == "completed"
    assert call["digits"] == ["9"]
    assert call["heard"] == [WHISPER, DECLINED]
    assert call["conferences_joined"] == []
    assert participants(emulator, conference) == [caller]  # the caller still waits
    assert not agent_joined(emulator, caller)


async def test_silent_agent_falls_through_the_gather(emulator, channel, rest):
    conference = conference_name()
    emulator.set_agent(AGENT, "silent")

    agent = await ring_agent(rest, channel, conference)
    call = emulator.wait_for_call(agent, ended)

    assert call["digits"] == []
    assert call["heard"] == [WHISPER, NO_ANSWER]
    assert [r.params.get("Digits") for r in channel.received if r.path.endswith("/agent")] == [None]


async def test_silent_agent_posts_empty_digits_when_action_on_empty_result(emulator, channel, rest):
    channel.action_on_empty_result = True
    emulator.set_agent(AGENT, "silent")

    agent = await ring_agent(rest, channel, conference_name())
    emulator.wait_for_call(agent, ended)

    pages = [r for r in channel.received if r.path.endswith("/agent")]
    assert [r.params.get("Digits") for r in pages] == [None, ""]
    assert all(r.signature_valid for r in pages)


@pytest.mark.parametrize("behaviour", ["busy", "no-answer"])
async def test_busy_and_unanswered_agents_post_signed_status_callbacks(
    emulator, channel, rest, behaviour
):
    emulator.set_agent(AGENT, behaviour)

    agent = await ring_agent(rest, channel, conference_name())
    call = emulator.wait_for_call(agent, ended)

    assert call["status"] == behaviour
    assert call["heard"] == []
    callbacks = channel.wait_for_callbacks(3)
    assert statuses(callbacks) == ["initiated", "ringing", behaviour]
    final = callbacks[-1].params
    assert final["CallSid"] == agent
    assert final["AccountSid"] == emulator.account_sid
    assert (final["From"], final["To"]) == (SUPPORT, AGENT)
    assert final["Direction"] == "outbound-api"
    assert final["CallDuration"] == "0"
    assert all(c.signature_valid for c in callbacks)
    assert not [r for r in channel.received if r.path.endswith("/agent")]


async def test_ringing_longer_than_the_timeout_is_no_answer(emulator, channel, rest):
    # The phone would accept after a minute; the 1 s dial timeout ends the call first.
    emulator.set_agent(AGENT, "accept", ring_seconds=60)

    agent = await ring_agent(rest, channel, conference_name(), timeout=1)
    call = emulator.wait_for_call(agent, ended)

    assert call["status"] == "no-answer"


async def test_manual_phone_rings_until_someone_answers(emulator, channel, rest):
    conference = conference_name()
    caller_on_hold(emulator, channel, conference)
    emulator.set_agent("*", "manual")

    agent = await ring_agent(rest, channel, conference)
    ringing = emulator.wait_for_call(agent, lambda c: c["awaiting_answer"])
    assert ringing["status"] == "ringing"

    emulator.answer(agent, "accept")

    call = emulator.wait_for_call(agent, lambda c: c["conference"] == conference)
    assert call["digits"] == ["1"]


async def test_hanging_up_a_ringing_call_cancels_it(emulator, channel, rest):
    emulator.set_agent(AGENT, "manual")
    agent = await ring_agent(rest, channel, conference_name())
    emulator.wait_for_call(agent, lambda c: c["awaiting_answer"])

    emulator.hang_up(agent)

    call = emulator.wait_for_call(agent, ended)
    assert call["status"] == "canceled"
    callbacks = channel.wait_for_callbacks(3)
    assert statuses(callbacks) == ["initiated", "ringing", "canceled"]


async def test_agent_leg_can_be_redirected_out_of_the_conference(emulator, channel, rest):
    conference = conference_name()
    caller = caller_on_hold(emulator, channel, conference)
    agent = await ring_agent(rest, channel, conference)
    emulator.wait_for_call(agent, lambda c: c["conference"] == conference)

    reply = emulator.api(
        "POST", f"/Calls/{agent}.json", data={"Twiml": "<Response><Say>Bye</Say></Response>"}
    )
    assert reply.status_code == 200

    call = emulator.wait_for_call(agent, ended)
    assert call["heard"][-1] == "Bye"
    assert call["redirects"] == ["(twiml)"]
    assert participants(emulator, conference) == [caller]  # the conference goes on


async def test_failing_application_ends_the_leg_with_an_application_error(emulator, channel, rest):
    agent = await rest.place_call(
        to=AGENT,
        from_=SUPPORT,
        twiml=f'<Response><Redirect method="POST">{channel.base_url}/broken</Redirect></Response>',
        status_callback=channel.status_url("x"),
        timeout_seconds=20,
    )
    call = emulator.wait_for_call(agent, ended)
    assert call["status"] == "completed"
    assert call["heard"] == [APPLICATION_ERROR]
    assert any(error.startswith("11200") for error in call["errors"])


# -- a caller's leg, played by a driver ------------------------------------------------------


def test_a_driver_hears_each_gather_and_answers_it(emulator, channel):
    sid = new_call_sid()
    emulator.dial_in(sid, CALLER, SUPPORT, channel.agent_url("handoff-x"), channel.status_url("x"))
    first = emulator.caller(sid, "listen", None, 10, [0, 0, 0])
    assert first["heard"] == [WHISPER]
    assert first["gather"]["numDigits"] == "1"
    assert not first["hung_up"]
    answered = emulator.caller(sid, "answer", {"Digits": "9"}, 10, first["seen"])
    assert answered["heard"] == [DECLINED]
    assert answered["hung_up"]
    assert len(answered["request_seconds"]) == 1
    pages = [r for r in channel.received if r.path.endswith("/agent")]
    assert [r.params.get("Digits") for r in pages] == [None, "9"]
    assert pages[0].params["CallStatus"] == "ringing" and pages[0].signature_valid
    callbacks = channel.wait_for_callbacks(1)
    assert statuses(callbacks) == ["completed"]
    assert "<Say>" in emulator.repeat(sid)  # Twilio sending the last request again
    with pytest.raises(requests.HTTPError, match="409"):
        emulator.caller(sid, "answer", {"Digits": "1"}, 1, answered["seen"])  # the call is over
