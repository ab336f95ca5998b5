"""Only the settings package reads the environment in the product's code."""

from __future__ import annotations

import re

from settings import PROJECT_ROOT

PRODUCT = (
    "actions",
    "channels",
    "console",
    "duckling_server",
    "handoff",
    "nlu",
    "servicenow",
    "speech",
    "stores",
    "telephony",
)
READS_ENVIRONMENT = re.compile(r"\bos\.environ\b|\bos\.getenv\b|\bgetenv\(")
# Sets the process's locale for the Duckling library (not configuration).
ALLOWED = {"duckling_server/parser.py"}


def test_no_product_module_reads_the_environment_but_settings() -> None:
    readers = [
        str(path.relative_to(PROJECT_ROOT))
        for package in PRODUCT
        for path in sorted((PROJECT_ROOT / package).rglob("*.py"))
        if READS_ENVIRONMENT.search(path.read_text())
    ]
    assert [r for r in readers if r not in ALLOWED] == []
