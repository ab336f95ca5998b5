"""Every response in the domain is written to be heard on a phone."""

from __future__ import annotations

import re

import pytest

from tests.action_support import DOMAIN

TEXTS = [
    (name, variant["text"])
    for name, variants in DOMAIN["responses"].items()
    for variant in variants
    if variant.get("text")
]
MAX_WORDS_PER_SENTENCE = 30


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[name for name, _ in TEXTS])
def test_response_is_written_for_the_ear(name: str, text: str) -> None:
    assert not re.search(r"\b(type|click|tap|see below|link)\b", text, re.IGNORECASE)
    assert "http" not in text and "www." not in text
    assert not re.search(r"^\s*[-*•]", text, re.MULTILINE), "no bullet lists"
    assert all(ord(character) < 0x2000 for character in text), "no emoji or symbols"
    for sentence in re.split(r"(?<=[.?!])\s+", text):
        assert len(sentence.split()) <= MAX_WORDS_PER_SENTENCE, sentence
