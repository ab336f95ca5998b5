"""DIRECTORY_* settings: defaults, and one clear error per bad value."""

from __future__ import annotations

import pytest

from settings import SettingsError
from settings.directory import DirectorySettings


def test_defaults_allow_three_lookups_a_call() -> None:
    assert DirectorySettings.from_env({}) == DirectorySettings(3, 0.74, 200)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DIRECTORY_LOOKUPS_PER_CALL", "-1"),
        ("DIRECTORY_LOOKUPS_PER_CALL", "many"),
        ("DIRECTORY_MATCH_THRESHOLD", "0"),
        ("DIRECTORY_MATCH_THRESHOLD", "1.5"),
        ("DIRECTORY_CANDIDATE_LIMIT", "501"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        DirectorySettings.from_env({name: value})
