"""Reads ``testing.json`` and the ``*.e2e.yml`` files the way ``bst test`` does.

A port of skill-testing-ml 1.4.8 (``Configuration``, ``TestParser``,
``TestSuite.processIncludedAndExcludedTags``): ``${ENV}`` placeholders,
``findReplace``, YAML 1.2 documents (a bare ``yes`` stays a string), a first
``configuration`` document, ``test``/``tags`` headers, the short and long
interaction forms, ``set`` settings, and the IVR rule that every interaction
but the last needs an assertion, a ``finishOnPhrase`` or a ``listeningTimeout``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from e2e.runner.matching import NUMERIC_OPERATORS, OPERATORS, Assertion, Expected

E2E_DIR = Path(__file__).resolve().parent.parent
# Jest's testMatch in skill-testing-ml's Configuration.jestDefaults.
TEST_PATTERNS = (
    "**/test/*.yml",
    "**/tests/*.yml",
    "**/*.e2e.yml",
    "**/*.spec.yml",
    "**/*.test.yml",
)
IGNORED_DIRS = frozenset({"node_modules", "coverage", "locales", "lambda", "test_output"})
SHORT_OPERATORS = (" == ", " =~ ", " != ", " >= ", " <= ", " > ", " < ")
IVR_PLATFORMS = frozenset({"twilio", "phone"})


class SuiteError(ValueError):
    """A test file ``bst test`` would refuse, with where it is."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass
class Step:
    """One interaction: what the caller does, and what must be heard after it."""

    utterance: str
    assertions: list[Assertion] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    exit: bool = False


@dataclass
class Case:
    """One ``- test:`` list: one phone call."""

    name: str
    steps: list[Step]
    tags: list[str] = field(default_factory=list)
    only: bool = False
    skip: bool = False


@dataclass
class TestFile:
    __test__ = False  # not a pytest class

    path: Path
    configuration: dict[str, Any]
    cases: list[Case]


# -- testing.json --------------------------------------------------------------


def replace_placeholders(text: str, env: Mapping[str, str] = os.environ) -> str:
    """``${NAME}`` becomes the variable's value, or nothing when it is unset."""
    while (start := text.find("${")) != -1:
        end = text.find("}", start)
        if end == -1:
            break
        name = text[start + 2 : end]
        text = text.replace("${" + name + "}", env.get(name, ""))
    return text


@dataclass(frozen=True)
class Configuration:
    """testing.json, with a test file's ``configuration`` taking precedence key by key."""

    values: dict[str, Any]
    path: Path | None = None

    @classmethod
    def load(cls, path: Path, env: Mapping[str, str] = os.environ) -> Configuration:
        try:
            values = json.loads(replace_placeholders(path.read_text(), env))
        except (OSError, ValueError) as error:
            raise SuiteError(path, f"cannot read the configuration: {error}") from None
        if not isinstance(values, dict):
            raise SuiteError(path, "the configuration must be a JSON object")
        return cls(values, path)

    def value(
        self, name: str, file_configuration: Mapping[str, Any] | None, default: Any = None
    ) -> Any:
        if file_configuration and name in file_configuration:
            return file_configuration[name]
        return self.values.get(name, default)


# -- test files ------------------------------------------------------------------


def find_test_files(root: Path = E2E_DIR) -> list[Path]:
    """Every file bst's patterns match under ``root``, outside node_modules and reports."""
    found: set[Path] = set()
    for pattern in TEST_PATTERNS:
        for path in root.glob(pattern):
            relative = path.relative_to(root).parts
            if path.is_file() and not IGNORED_DIRS.intersection(relative):
                found.add(path)
    return sorted(found)


def _line(container: Any, index: Any) -> int | None:
    """1-based line of an item of a loaded sequence or mapping, if known."""
    try:
        if isinstance(container, list):
            return int(container.lc.item(index)[0]) + 1  # type: ignore[attr-defined]
        return int(container.lc.value(index)[0]) + 1  # type: ignore[attr-defined]
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def _clean(value: Any) -> Any:
    """``Util.cleanString``: surrounding double quotes dropped, "undefined" is None."""
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text in ("undefined", "null"):
        return None
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    return text


class Parser:
    """Parses one test file's text (after ``findReplace``)."""

    def __init__(self, path: Path, platform: str | None) -> None:
        self.path = path
        self.platform = platform

    def parse(self, text: str) -> TestFile:
        try:
            documents = list(YAML(typ="rt").load_all(text))
        except YAMLError as error:
            raise SuiteError(self.path, f"not valid YAML: {error}") from None
        configuration: dict[str, Any] = {}
        raw_tests = documents
        if (
            len(documents) > 1
            and isinstance(documents[0], Mapping)
            and documents[0].get("configuration")
        ):
            if not isinstance(documents[0]["configuration"], Mapping):
                raise SuiteError(self.path, "configuration element is not an object")
            configuration = _clean(dict(documents[0]["configuration"]))
            raw_tests = documents[1:]
        cases: list[Case] = []
        names: dict[str, int] = {}
        for number, raw in enumerate(raw_tests, start=1):
            if not isinstance(raw, list):
                continue  # bst ignores documents that are not lists
            case = self.parse_case(raw, number)
            names[case.name] = names.get(case.name, 0) + 1
            if names[case.name] > 1:
                case.name = f"{case.name} ({names[case.name]})"
            cases.append(case)
        file = TestFile(self.path, configuration, cases)
        if (configuration.get("platform") or self.platform) in IVR_PLATFORMS:
            self.check_ivr(file)
        return file

    def parse_case(self, raw: list[Any], number: int) -> Case:
        case = Case(name=f"Test {number}", steps=[])
        items: list[tuple[Any, int | None]] = []
        for index, item in enumerate(raw):
            key = next(iter(item), None) if isinstance(item, Mapping) else None
            if index < 2 and key in ("test", "test.only", "test.skip"):
                case.name = _text(item[key])
                case.only = key == "test.only"
                case.skip = key == "test.skip"
            elif index < 2 and key == "tags":
                if isinstance(item[key], str):
                    case.tags = [tag.strip() for tag in item[key].split(",")]
            else:
                items.append((item, _line(raw, index)))
        case.steps = [self.parse_step(item, line) for item, line in items]
        return case

    def parse_step(self, item: Any, line: int | None) -> Step:
        if not isinstance(item, Mapping):
            if _text(item).strip() == "exit":
                return Step(utterance="", line=line, exit=True)
            step = Step(utterance="", line=line)
            utterance, assertion = self.short_form(_text(item), line, utterance_included=True)
            step.utterance = utterance
            if assertion is not None:
                step.assertions.append(assertion)
            return step
        key = next(iter(item), "")
        step = Step(utterance=_text(key), line=line)
        elements = item[key]
        if isinstance(elements, list):
            for index, element in enumerate(elements):
                self.add_element(step, element, _line(elements, index) or line)
        elif elements not in (None, "", 0, False):
            value = _clean(elements)
            operator = "=~" if isinstance(value, str) and value.startswith("/") else "=="
            step.assertions.append(self.assertion("prompt", operator, value, ":", line))
        return step

    def add_element(self, step: Step, element: Any, line: int | None) -> None:
        if isinstance(element, (str, int, float)) and not isinstance(element, bool):
            text = _text(element)
            if text.strip() == "exit":
                step.exit = True
                return
            _, assertion = self.short_form(text, line, utterance_included=False)
            if assertion is not None:
                step.assertions.append(assertion)
            return
        if not isinstance(element, Mapping) or not element:
            return
        key = _text(next(iter(element)))
        if key in ("intent", "slots", "label"):
            return  # unit-test and goto details: nothing to send on a call
        if key.startswith("request") or key.startswith("set "):
            name = key[len("set ") :] if key.startswith("set ") else key[len("request.") :]
            step.settings[name] = _clean(element[key])
            return
        value = _clean(element[key])
        operator = "=="
        if isinstance(value, str) and value.strip().startswith("/"):
            operator = "=~"
        elif isinstance(value, list) and any(
            isinstance(v, str) and v.strip().startswith("/") for v in value
        ):
            operator = "=~"
        step.assertions.append(self.assertion(key, operator, value, ":", line))

    def short_form(
        self, text: str, line: int | None, utterance_included: bool
    ) -> tuple[str, Assertion | None]:
        """``TestParser.parseStringAssertion``: ``utterance OP value`` or ``path OP value``."""
        if not utterance_included and " " not in text:
            raise SuiteError(self.path, f"invalid assertion: {text}", line)
        operator = next((op for op in SHORT_OPERATORS if op in text), None)
        if operator is None and not utterance_included:
            parts = re.split(r" +", text)
            operator = parts[1] if len(parts) > 1 else ""
        if operator is None:
            return text, None
        parts = text.split(operator)
        path = "prompt" if utterance_included else parts[0].strip()
        utterance = parts[0].strip() if utterance_included else ""
        raw_value = parts[1].strip() if len(parts) > 1 else ""
        pieces = [piece.strip() for piece in raw_value.split("-") if piece.strip()]
        value: Expected = pieces if len(pieces) > 1 else _clean(raw_value)
        return utterance, self.assertion(path, operator.strip(), value, operator.strip(), line)

    def assertion(
        self, path: str, operator: str, value: Expected, original: str, line: int | None
    ) -> Assertion:
        if isinstance(value, str) and " goto " in value:
            raise SuiteError(self.path, "goto is not supported by the offline runner", line)
        if not re.match(r"^\$?[\w.\[\]'\"-]*$", path) or not path.strip("$."):
            raise SuiteError(self.path, f"invalid JSON path: {path}", line)
        if operator not in OPERATORS:
            raise SuiteError(self.path, f"invalid operator: {operator}", line)
        if operator in NUMERIC_OPERATORS:
            try:
                float(str(value))
            except ValueError:
                raise SuiteError(
                    self.path, f"invalid expected value - must be numeric: {value}", line
                ) from None
        return Assertion(path, operator, value, original, line)

    def check_ivr(self, file: TestFile) -> None:
        for case in file.cases:
            for step in case.steps[:-1]:
                if not (
                    step.assertions
                    or any("finishOnPhrase" in name for name in step.settings)
                    or any("listeningTimeout" in name for name in step.settings)
                ):
                    raise SuiteError(
                        file.path,
                        "missing required parameter 'transcript', 'finishOnPhrase' or "
                        "'listeningTimeout'",
                        step.line,
                    )


def find_replace(text: str, replacements: Mapping[str, Any] | None) -> str:
    for find, value in (replacements or {}).items():
        text = text.replace(str(find), _text(value))
    return text


def load_test_file(path: Path, configuration: Configuration) -> TestFile:
    text = find_replace(path.read_text(), configuration.value("findReplace", None, {}))
    return Parser(path, configuration.value("platform", None)).parse(text)


# -- which tests run ---------------------------------------------------------------


def _tags(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(tag).strip() for tag in raw]
    if isinstance(raw, str) and raw:
        return [tag.strip() for tag in raw.split(",")]
    return []


def skip_reasons(
    file: TestFile,
    configuration: Configuration,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
) -> Iterator[tuple[Case, str | None]]:
    """Each case with why it is skipped (None: it runs), as bst's tag rules decide.

    ``include``/``exclude`` override testing.json (as ``bst test --exclude`` does).
    """
    includes = (
        include
        if include is not None
        else _tags(configuration.value("include", file.configuration))
    )
    excludes = (
        exclude
        if exclude is not None
        else _tags(configuration.value("exclude", file.configuration))
    )
    suite_tags = _tags(configuration.value("tags", file.configuration))
    selected: dict[int, bool] = {}
    reasons: dict[int, str | None] = {id(case): None for case in file.cases}
    if includes or excludes:
        for case in file.cases:
            tags = case.tags + suite_tags
            excluded = [tag for tag in tags if tag in excludes]
            if excluded:
                reasons[id(case)] = f"tag {excluded[0]!r} is excluded"
            selected[id(case)] = not includes or any(tag in includes for tag in tags)
        for case in file.cases:
            if reasons[id(case)] is None and not selected[id(case)]:
                reasons[id(case)] = f"none of its tags is included ({', '.join(includes)})"
    if any(case.only for case in file.cases):
        for case in file.cases:
            if not case.only and reasons[id(case)] is None:
                reasons[id(case)] = "another test in the file is marked test.only"
    for case in file.cases:
        if case.skip and reasons[id(case)] is None:
            reasons[id(case)] = "marked test.skip"
        yield case, reasons[id(case)]
