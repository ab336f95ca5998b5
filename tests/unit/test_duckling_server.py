"""The Duckling server: the parser in-process, the HTTP contract over real loopback HTTP."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import requests

# At module level: importing Rasa's channels runs `git` once (webexteamssdk's version
# lookup), which is collection's business, not a test's.
from rasa.nlu.extractors.duckling_entity_extractor import DucklingEntityExtractor
from rasa.shared.nlu.training_data.message import Message

from duckling_server.app import MISSING_TEXT, MissingText, read_query
from duckling_server.parser import (
    DIMENSIONS,
    DucklingInputError,
    DucklingParser,
    check_reftime,
    ensure_utf8_locale,
    normalise_dimensions,
)
from tests.duckling_fixtures import duckling_server  # noqa: F401 - the fixture

# 2024-05-21 10:00:00 UTC, a Tuesday.
REFTIME_MS = int(datetime(2024, 5, 21, 10, 0, tzinfo=timezone.utc).timestamp() * 1000)
TIMEOUT = 10


# ------------------------------------------------------------------ in-process


@pytest.fixture(scope="module")
def parser() -> DucklingParser:
    return DucklingParser(default_timezone="America/New_York")


def test_parser_finds_a_spoken_number(parser: DucklingParser) -> None:
    [entity] = parser.parse("three", dims=["number"])
    assert entity == {
        "body": "three",
        "start": 0,
        "end": 5,
        "dim": "number",
        "latent": False,
        "value": {"type": "value", "value": 3},
    }


def test_parser_repairs_the_bindings_double_encoding(parser: DucklingParser) -> None:
    text = "😀 café costs 5€, écrivez à beth.anglin@example.com"
    entities = parser.parse(text, dims=["amount-of-money", "email"])
    assert [entity["body"] for entity in entities] == ["5€", "beth.anglin@example.com"]
    for entity in entities:  # offsets index the Python string
        assert text[entity["start"] : entity["end"]] == entity["body"]


@pytest.mark.parametrize("text", ["a\x00 3", "lone \ud800 surrogate 3", "", "   "])
def test_parser_survives_text_the_bindings_cannot_take(parser: DucklingParser, text: str) -> None:
    entities = parser.parse(text, dims=["number"])
    assert all(entity["dim"] == "number" for entity in entities)


def test_parser_time_uses_reference_time_and_zone(parser: DucklingParser) -> None:
    [entity] = parser.parse(
        "tomorrow at 5pm", tz="Europe/Berlin", dims=["time"], reftime_ms=REFTIME_MS
    )
    assert entity["value"]["value"] == "2024-05-22T17:00:00.000+02:00"


def test_parser_defaults_to_its_own_time_zone(parser: DucklingParser) -> None:
    [entity] = parser.parse("tomorrow at 5pm", dims=["time"], reftime_ms=REFTIME_MS)
    assert entity["value"]["value"] == "2024-05-22T17:00:00.000-04:00"


@pytest.mark.parametrize("locale", ["en_US", "en", "EN-gb", "de_DE", "es_419"])
def test_parser_accepts_locales_duckling_server_accepts(
    parser: DucklingParser, locale: str
) -> None:
    assert isinstance(parser.parse("3", locale=locale, dims=["number"]), list)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"locale": "xx_YY"}, "no language"),
        ({"locale": "english"}, "bad locale"),
        ({"locale": ""}, "bad locale"),
        ({"tz": "Mars/Olympus_Mons"}, "unknown time zone"),
        ({"tz": "../../etc/passwd"}, "unknown time zone"),
        ({"dims": ["number", "colour"]}, "unknown dims"),
        ({"reftime_ms": float("nan")}, "finite"),
        ({"reftime_ms": 10**20}, "outside"),
    ],
)
def test_parser_rejects_what_duckling_would_silently_replace(
    parser: DucklingParser, arguments: dict, message: str
) -> None:
    with pytest.raises(DucklingInputError, match=message):
        parser.parse("3", **arguments)


def test_parser_refuses_an_unknown_default_time_zone() -> None:
    with pytest.raises(DucklingInputError, match="unknown time zone"):
        DucklingParser(default_timezone="Nowhere/Special")


@pytest.mark.parametrize(
    ("environ", "changed"),
    [
        ({"LC_ALL": "C"}, True),
        ({"LANG": "POSIX"}, True),
        ({}, True),
        ({"LANG": "C.UTF-8"}, False),
        ({"LC_CTYPE": "en_US.utf8", "LANG": "C"}, False),
        ({"LC_ALL": "C", "LANG": "C.UTF-8"}, True),
    ],
)
def test_utf8_locale_is_forced_only_when_needed(environ: dict, changed: bool) -> None:
    environ = dict(environ)
    assert ensure_utf8_locale(environ) is changed
    if changed:
        assert environ["LC_ALL"] == "C.UTF-8"


def test_dimension_names_are_normalised() -> None:
    assert normalise_dimensions(None) == ()
    assert normalise_dimensions([]) == ()
    assert normalise_dimensions(["Email", "number", "email"]) == ("email", "number")
    assert set(normalise_dimensions(DIMENSIONS)) == set(DIMENSIONS)


def test_reference_time_is_whole_milliseconds() -> None:
    assert check_reftime(None) is None
    assert check_reftime(1716285600000.7) == 1716285600000
    with pytest.raises(DucklingInputError):
        check_reftime(True)


# ------------------------------------------------------------------ form reading


def form(**fields: str) -> dict[str, list[str]]:
    return {name: [value] for name, value in fields.items()}


def test_form_without_text_is_missing_text() -> None:
    with pytest.raises(MissingText, match="Need a 'text' parameter"):
        read_query(form(locale="en_US"))


def test_form_defaults_match_duckling() -> None:
    query = read_query(form(text=""))
    assert (query.text, query.locale, query.tz, query.dims, query.reftime_ms, query.latent) == (
        "",
        "en_US",
        None,
        None,
        None,
        False,
    )


def test_form_as_rasa_sends_it() -> None:
    query = read_query(
        form(text="hi", dims=json.dumps(None), reftime=str(1716285600.5 * 1000), tz="UTC")
    )
    assert (query.dims, query.reftime_ms, query.tz) == (None, 1716285600500.0, "UTC")


def test_form_lang_stands_in_for_locale() -> None:
    assert read_query(form(text="hi", lang="fr")).locale == "fr"


@pytest.mark.parametrize(
    "fields",
    [
        {"dims": "email"},
        {"dims": '{"dim": "email"}'},
        {"dims": "[1, 2]"},
        {"reftime": "yesterday"},
        {"latent": "maybe"},
    ],
)
def test_form_with_a_bad_field_is_an_input_error(fields: dict[str, str]) -> None:
    with pytest.raises(DucklingInputError):
        read_query(form(text="hi", **fields))


# ------------------------------------------------------- over HTTP, served in process


def post(base_url: str, **fields: object) -> requests.Response:
    return requests.post(f"{base_url}/parse", data=fields, timeout=TIMEOUT)


def test_health_check_quacks(duckling_server: str) -> None:  # noqa: F811
    reply = requests.get(f"{duckling_server}/", timeout=TIMEOUT)
    assert (reply.status_code, reply.text) == (200, "quack!")


def test_http_parses_a_number(duckling_server: str) -> None:  # noqa: F811
    reply = post(duckling_server, text="I have three laptops", dims='["number"]')
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json() == [
        {
            "body": "three",
            "start": 7,
            "end": 12,
            "dim": "number",
            "latent": False,
            "value": {"type": "value", "value": 3},
        }
    ]


def test_http_parses_an_email(duckling_server: str) -> None:  # noqa: F811
    reply = post(duckling_server, text="it's beth.anglin@example.com", dims='["email"]')
    [entity] = reply.json()
    assert (entity["dim"], entity["value"]["value"]) == ("email", "beth.anglin@example.com")


def test_http_parses_a_time_with_reftime_and_tz(duckling_server: str) -> None:  # noqa: F811
    reply = post(
        duckling_server,
        text="tomorrow at 5pm",
        dims='["time"]',
        reftime=REFTIME_MS,
        tz="Asia/Tokyo",
        locale="en_GB",
    )
    [entity] = reply.json()
    assert entity["value"]["value"] == "2024-05-22T17:00:00.000+09:00"
    assert entity["value"]["grain"] == "hour"


def test_http_time_defaults_to_the_server_time_zone(duckling_server: str) -> None:  # noqa: F811
    [entity] = post(duckling_server, text="at noon", dims='["time"]', reftime=REFTIME_MS).json()
    assert entity["value"]["value"] == "2024-05-21T12:00:00.000-04:00"


def test_http_without_dims_parses_every_dimension(duckling_server: str) -> None:  # noqa: F811
    entities = post(duckling_server, text="3 euros tomorrow", reftime=REFTIME_MS).json()
    assert {"amount-of-money", "time"} <= {entity["dim"] for entity in entities}


def test_http_latent_adds_less_certain_parses(duckling_server: str) -> None:  # noqa: F811
    plain = post(duckling_server, text="7", dims='["time"]', reftime=REFTIME_MS).json()
    latent = post(
        duckling_server, text="7", dims='["time"]', reftime=REFTIME_MS, latent="true"
    ).json()
    assert plain == []
    assert [entity["latent"] for entity in latent] == [True]


def test_http_keeps_non_ascii_text_intact(duckling_server: str) -> None:  # noqa: F811
    text = "ça coûte 5€"
    [entity] = post(duckling_server, text=text, dims='["amount-of-money"]', locale="fr_FR").json()
    assert entity["body"] == "5€" == text[entity["start"] : entity["end"]]


def test_http_without_text_is_422(duckling_server: str) -> None:  # noqa: F811
    reply = post(duckling_server, locale="en_US")
    assert (reply.status_code, reply.text) == (422, MISSING_TEXT)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"dims": '["number", "colour"]'}, "unknown dims"),
        ({"dims": "number"}, "JSON list"),
        ({"locale": "xx_YY"}, "no language"),
        ({"locale": "en_US_POSIX"}, "bad locale"),
        ({"tz": "Mars/Olympus_Mons"}, "unknown time zone"),
        ({"reftime": "tomorrow"}, "milliseconds"),
        ({"reftime": "1e30"}, "outside"),
        ({"latent": "perhaps"}, "true or false"),
    ],
)
def test_http_bad_field_is_400_with_a_message(
    duckling_server: str,  # noqa: F811
    fields: dict[str, str],
    message: str,
) -> None:
    reply = post(duckling_server, text="3", **fields)
    assert reply.status_code == 400
    assert message in reply.text


def test_http_body_that_is_not_utf8_is_400(duckling_server: str) -> None:  # noqa: F811
    reply = requests.post(
        f"{duckling_server}/parse",
        data=b"text=%FF\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=TIMEOUT,
    )
    assert reply.status_code == 400


def test_http_accepts_multipart_forms(duckling_server: str) -> None:  # noqa: F811
    reply = requests.post(
        f"{duckling_server}/parse",
        files={"text": (None, "three"), "dims": (None, '["number"]')},
        timeout=TIMEOUT,
    )
    assert [entity["value"]["value"] for entity in reply.json()] == [3]


def test_http_serves_concurrent_requests(duckling_server: str) -> None:  # noqa: F811
    texts = [f"I need {number} laptops" for number in range(1, 25)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(
            pool.map(lambda text: post(duckling_server, text=text, dims='["number"]'), texts)
        )
    values = [reply.json()[0]["value"]["value"] for reply in replies]
    assert values == list(range(1, 25))


def test_rasa_duckling_entity_extractor_reads_our_answers(
    duckling_server: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RASA_DUCKLING_HTTP_URL", raising=False)

    config = {"url": duckling_server, "dimensions": ["email", "number"]}
    extractor = DucklingEntityExtractor({**DucklingEntityExtractor.get_default_config(), **config})
    message = Message(data={"text": "my email is beth.anglin@example.com and I have 3 laptops"})

    extractor.process([message])

    entities = message.get("entities")
    assert [(entity["entity"], entity["value"]) for entity in entities] == [
        ("email", "beth.anglin@example.com"),
        ("number", 3),
    ]
    assert all(entity["extractor"] == "DucklingEntityExtractor" for entity in entities)
    email = entities[0]
    assert message.get("text")[email["start"] : email["end"]] == "beth.anglin@example.com"


def test_rasa_extractor_passes_timezone_and_message_time(
    duckling_server: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RASA_DUCKLING_HTTP_URL", raising=False)

    config = {
        **DucklingEntityExtractor.get_default_config(),
        "url": duckling_server,
        "dimensions": ["time"],
        "timezone": "Europe/Berlin",
        "locale": "de_DE",
    }
    message = Message(data={"text": "morgen um 17 Uhr"}, time=REFTIME_MS / 1000)

    DucklingEntityExtractor(config).process([message])

    [entity] = message.get("entities")
    assert entity["value"] == "2024-05-22T17:00:00.000+02:00"
