"""Only the settings package reads the environment, in all of the project's Python code.

Every first-party ``.py`` file under the project root is scanned: the product, the
emulators, the stack, the scripts, the benchmark, e2e and deploy. Not scanned: what is
not ours (.venv, node_modules), what we generate (var), and tests/, whose fixtures set
up the environment of the processes they start.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from settings import PROJECT_ROOT

READS_ENVIRONMENT = re.compile(r"\bos\.environ\b|\bos\.getenv\b|\bgetenv\(")
# Directory names never scanned, wherever they are (e2e/node_modules included).
NOT_OURS = {".venv", "node_modules", ".git", "__pycache__", ".ruff_cache", ".pytest_cache"}
# Top-level folders never scanned: generated files, and the tests (see above).
SKIPPED_AT_ROOT = {"var", "tests"}
SETTINGS = "settings/"
# Files outside settings/ that touch the environment without reading configuration.
ALLOWED = {
    "duckling_server/parser.py": "sets the process's UTF-8 locale before Duckling loads",
    "stack/processes.py": "passes its environment on to the services it starts",
    "stack/local.py": "builds the environment of the local stack's services from its own",
    "stack/isolated.py": "builds an isolated stack's environment from its own",
    "e2e/device/service.py": "passes its environment (minus Bespoken's cloud) to bst",
}


def first_party_python(root: Path = PROJECT_ROOT) -> list[str]:
    """Every first-party ``.py`` file, relative to ``root`` with ``/`` separators."""
    found = []
    for folder, names, files in os.walk(root):
        here = Path(folder)
        names[:] = sorted(
            name
            for name in names
            if name not in NOT_OURS and not (here == root and name in SKIPPED_AT_ROOT)
        )
        found += [(here / file).relative_to(root).as_posix() for file in files]
    return sorted(path for path in found if path.endswith(".py"))


def readers_of_the_environment() -> set[str]:
    return {
        path
        for path in first_party_python()
        if READS_ENVIRONMENT.search((PROJECT_ROOT / path).read_text(encoding="utf-8"))
    }


def test_the_scan_covers_all_first_party_code() -> None:
    scanned = set(first_party_python())
    for expected in ("bench/plot.py", "scripts/train_model.py", "deploy/smoke_call.py",
                     "emulators/common.py", "e2e/audio/__main__.py", "contract.py",
                     "settings/tooling.py", *ALLOWED):  # fmt: skip
        assert expected in scanned
    assert not [p for p in scanned if p.startswith(("tests/", "var/", ".venv/"))]
    assert not [p for p in scanned if "node_modules" in p.split("/")]


def test_nothing_but_settings_reads_the_environment() -> None:
    readers = readers_of_the_environment()
    unexpected = sorted(p for p in readers if not p.startswith(SETTINGS) and p not in ALLOWED)
    assert unexpected == [], (
        f"{', '.join(unexpected)} read(s) the environment: add a setting to the settings "
        "package (settings/tooling.py for tooling) and read that instead"
    )


def test_every_allowed_file_still_touches_the_environment() -> None:
    stale = sorted(set(ALLOWED) - readers_of_the_environment())
    assert stale == [], f"{', '.join(stale)} no longer read(s) the environment: drop from ALLOWED"


def test_every_variable_the_settings_read_is_documented_in_example_env() -> None:
    named = set()
    for path in sorted((PROJECT_ROOT / "settings").glob("*.py")):
        named |= set(re.findall(r"\"([A-Z][A-Z0-9]*_[A-Z0-9_]+)\"", path.read_text()))
    example = (PROJECT_ROOT / "example.env").read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert sorted(named - documented) == []
