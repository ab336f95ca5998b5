"""How hard the assistant may search the directory for a caller, from the environment.

Kept apart from ``settings/__init__.py`` (owned by the stack) but built with its
helpers, so the variables are read, defaulted and checked the same way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from settings import SettingsError, _float, _int

# Measured on misheard seed addresses and unrelated names (tests/unit/test_directory_matching.py).
DEFAULT_THRESHOLD = 0.74


@dataclass(frozen=True)
class DirectorySettings:
    """Limits that keep fuzzy matching helpful without letting a caller enumerate users."""

    lookups_per_call: int  # directory searches for a misheard email, per call
    match_threshold: float  # 0..1: below this no candidate is offered
    candidate_limit: int  # users fetched from one email domain

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> DirectorySettings:
        settings = cls(
            lookups_per_call=_int(env, "DIRECTORY_LOOKUPS_PER_CALL", 3),
            match_threshold=_float(env, "DIRECTORY_MATCH_THRESHOLD", DEFAULT_THRESHOLD),
            candidate_limit=_int(env, "DIRECTORY_CANDIDATE_LIMIT", 200),
        )
        if settings.lookups_per_call < 0:
            raise SettingsError("DIRECTORY_LOOKUPS_PER_CALL must be 0 or more")
        if not 0.0 < settings.match_threshold <= 1.0:
            raise SettingsError("DIRECTORY_MATCH_THRESHOLD must be above 0 and at most 1")
        if not 1 <= settings.candidate_limit <= 500:
            raise SettingsError("DIRECTORY_CANDIDATE_LIMIT must be between 1 and 500")
        return settings
