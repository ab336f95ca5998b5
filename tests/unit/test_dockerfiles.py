"""The images start: they install our pins and copy every package their code imports.

There is no Docker engine here, so the Dockerfiles are read as text (one
instruction a line after joining continuations) and checked against what the
shipped code imports: the AST of the entry packages (``channels`` and every
dotted class named in ``rasa_bot/*.yml`` for Rasa, ``actions`` for the action
server), followed through every first-party package they reach.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shlex
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
APP = "/app"
DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order; continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
        pending = ""
    return instructions


def dockerfile(name: str) -> list[Instruction]:
    return parse_dockerfile((ROOT / "docker" / name).read_text())


def copies(instructions: Iterable[Instruction]) -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY from the build context."""
    result = []
    for ins in instructions:
        if ins.keyword != "COPY" or "--from=" in ins.args:
            continue
        words = [w for w in shlex.split(ins.args) if not w.startswith("--")]
        result.append((words[:-1], words[-1]))
    return result


def first_party(name: str) -> Path | None:
    """The package directory or module file of a top-level name in the repository."""
    if (ROOT / name / "__init__.py").is_file():
        return ROOT / name
    if (ROOT / f"{name}.py").is_file():
        return ROOT / f"{name}.py"
    return None


def module_file(dotted: str) -> Path | None:
    """The file of a first-party module: ``a.b`` is a/b.py or a/b/__init__.py."""
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.parent / f"{base.name}.py", base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Dotted names a module imports; ``from a import b`` gives ``a`` and ``a.b``."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def import_closure(entries: Iterable[str]) -> tuple[set[str], set[str]]:
    """(first-party modules, third-party top-level names) reached from the entry modules.

    A module and every package above it run when it is imported; a name that is
    no module (``from a import function``) adds nothing.
    """
    ours: set[str] = set()
    theirs: set[str] = set()
    todo = list(entries)
    while todo:
        parts = todo.pop().split(".")
        if first_party(parts[0]) is None:
            if parts[0] not in sys.stdlib_module_names and parts[0] != "__future__":
                theirs.add(parts[0])
            continue
        for depth in range(1, len(parts) + 1):
            name = ".".join(parts[:depth])
            path = module_file(name)
            if path is not None and name not in ours:
                ours.add(name)
                todo.extend(imports_of(path))
    return ours, theirs


def package_modules(package: str) -> set[str]:
    """Every module of a package: rasa-sdk imports all of ``actions`` at start."""
    return {module_name(path) for path in (ROOT / package).rglob("*.py")}


def rasa_entries() -> set[str]:
    """The channel package plus every first-party dotted name in the image's Rasa YAML."""
    found = package_modules("channels")

    def visit(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                visit(key)
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, str) and DOTTED.match(node) and first_party(node.split(".")[0]):
            found.add(node)

    for sources, _ in copies(dockerfile("rasa.Dockerfile")):
        for source in sources:
            if source.endswith(".yml"):
                visit(yaml.safe_load((ROOT / source).read_text()))
    return found


IMAGES = {"rasa.Dockerfile": rasa_entries, "actions.Dockerfile": lambda: package_modules("actions")}


def shipped_packages(name: str) -> set[str]:
    """Top-level first-party packages and modules an image's code imports."""
    ours, _ = import_closure(IMAGES[name]())
    return {module.split(".")[0] for module in ours}


def missing_copies(instructions: list[Instruction], packages: Iterable[str]) -> list[str]:
    """Packages not COPY'd onto the PYTHONPATH (/app) of the image."""
    missing = []
    pairs = copies(instructions)
    for name in sorted(packages):
        is_dir = first_party(name) == ROOT / name
        path = name if is_dir else f"{name}.py"
        ok_dest = {f"{APP}/{name}"} if is_dir else {APP, f"{APP}/{name}.py"}
        if not any(
            fnmatch.fnmatch(path, src.rstrip("/")) and dest.rstrip("/") in ok_dest
            for sources, dest in pairs
            for src in sources
        ):
            missing.append(name)
    return missing


def pip_installs(instructions: list[Instruction]) -> list[list[str]]:
    return [
        shlex.split(ins.args.split("pip install", 1)[1].split("&&")[0])
        for ins in instructions
        if ins.keyword == "RUN" and "pip install" in ins.args
    ]


def option_values(words: list[str], option: str) -> list[str]:
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w == option]


def copied_from(instructions: list[Instruction], dest_file: str) -> Path:
    """The repository file a COPY put at ``dest_file`` (a path inside the image)."""
    for sources, dest in copies(instructions):
        for src in sources:
            if dest.endswith("/") and f"{dest}{Path(src).name}" == dest_file:
                return ROOT / src
    raise AssertionError(f"nothing is copied to {dest_file}")


def requirement_names(path: Path) -> dict[str, str | None]:
    """Canonical name -> pinned version (None when unpinned) of a requirements file."""
    names: dict[str, str | None] = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            pins = [s.version for s in req.specifier if s.operator == "=="]
            names[canonicalize_name(req.name)] = pins[0] if pins else None
    return names


@cache
def import_providers() -> dict[str, frozenset[str]]:
    """Top-level import name -> distributions that ship it (read from RECORD, as 3.11 does)."""
    providers: dict[str, set[str]] = {}
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        for line in (dist.read_text("RECORD") or "").splitlines():
            path = line.split(",", 1)[0]
            top, sep, _ = path.partition("/")
            if not path.endswith((".py", ".so")) or top == ".." or top.endswith(".dist-info"):
                continue
            providers.setdefault(top if sep else top.split(".")[0], set()).add(name)
    return {module: frozenset(dists) for module, dists in providers.items()}


def installed_closure(names: Iterable[str]) -> set[str]:
    """Distributions pip installs for ``names``, read from this venv's metadata."""
    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    return seen


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_every_first_party_import_is_copied(name: str) -> None:
    ours = shipped_packages(name)
    assert {"settings", "telephony"} <= ours  # the walk reaches past the entry package
    assert missing_copies(dockerfile(name), ours) == []
    env = " ".join(i.args for i in dockerfile(name) if i.keyword == "ENV")
    assert f"PYTHONPATH={APP}" in env


def test_removing_a_copy_is_caught() -> None:
    instructions = [i for i in dockerfile("rasa.Dockerfile") if not i.args.startswith("telephony ")]
    assert missing_copies(instructions, shipped_packages("rasa.Dockerfile")) == ["telephony"]


def test_a_package_copied_as_contents_is_caught() -> None:
    instructions = parse_dockerfile("FROM x\nCOPY settings /app/\n")
    assert missing_copies(instructions, ["settings"]) == ["settings"]


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_pip_installs_pinned_requirements_with_the_constraints(name: str) -> None:
    instructions = dockerfile(name)
    installs = pip_installs(instructions)
    assert installs, "the image installs nothing"
    for words in installs:
        constraints = [copied_from(instructions, c) for c in option_values(words, "-c")]
        requirements = [copied_from(instructions, r) for r in option_values(words, "-r")]
        assert ROOT / "constraints.txt" in constraints
        assert requirements, f"pip install without -r in {name}: {words}"
        pinned: dict[str, str | None] = {}
        for path in constraints:
            pinned.update(requirement_names(path))
        for path in requirements:
            for req, version in requirement_names(path).items():
                assert version or pinned.get(req), f"{req} ({path.name}) is pinned nowhere"


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_every_third_party_import_is_installed(name: str) -> None:
    instructions = dockerfile(name)
    wanted: set[str] = set()
    for words in pip_installs(instructions):
        for path in option_values(words, "-r"):
            wanted |= set(requirement_names(copied_from(instructions, path)))
    installed = installed_closure(wanted)
    providers = import_providers()
    _, theirs = import_closure(IMAGES[name]())
    missing = [
        module for module in sorted(theirs) if not providers.get(module, frozenset()) & installed
    ]
    assert missing == [], f"{name} does not install what provides {missing}"


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_the_image_never_trains_and_never_runs_as_root(name: str) -> None:
    instructions = dockerfile(name)
    runs = " ".join(i.args for i in instructions if i.keyword == "RUN")
    assert "rasa train" not in runs
    users = [i.args for i in instructions if i.keyword == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_the_image_opens_only_the_voice_channel() -> None:
    copied = [src for sources, _ in copies(dockerfile("rasa.Dockerfile")) for src in sources]
    credentials = next(src for src in copied if src.endswith("credentials.yml"))
    channels = yaml.safe_load((ROOT / credentials).read_text())
    assert list(channels) == ["channels.twilio_voice.TwilioVoiceChannel"]


def test_the_action_server_runs_a_shipped_module() -> None:
    instructions = dockerfile("actions.Dockerfile")
    cmd = json.loads(next(i.args for i in instructions if i.keyword == "CMD"))
    module = cmd[cmd.index("-m") + 1]
    assert module in import_closure(package_modules("actions"))[0]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"


def test_rasa_runs_the_mounted_model() -> None:
    cmd = next(i.args for i in dockerfile("rasa.Dockerfile") if i.keyword == "CMD")
    assert '"--model", "/app/models/current.tar.gz"' in cmd
    assert not any("rasa_bot/data" in src for src, _ in copies(dockerfile("rasa.Dockerfile")))


def test_the_model_image_only_carries_the_model_ci_trained() -> None:
    instructions = dockerfile("model.Dockerfile")
    assert copies(instructions) == [(["rasa_bot/models/current.tar.gz"], "/model/current.tar.gz")]
    assert not [i for i in instructions if i.keyword == "RUN"]
    assert [i.args for i in instructions if i.keyword == "USER"] == ["1001"]


@pytest.mark.parametrize(
    ("name", "route"),
    [
        ("rasa.Dockerfile", "http://127.0.0.1:5005/webhooks/twilio_voice/"),
        ("actions.Dockerfile", "http://127.0.0.1:5055/health"),
    ],
)
def test_healthcheck_probes_the_health_route(name: str, route: str) -> None:
    checks = [i.args for i in dockerfile(name) if i.keyword == "HEALTHCHECK"]
    assert len(checks) == 1 and route in checks[0]


def test_dockerignore_keeps_secrets_and_the_venv_out() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for needed in (".env", ".venv", ".git", "var", "rasa_bot/models/*"):
        assert needed in patterns
    assert "!.env" not in patterns and "!.venv" not in patterns
