"""CI hygiene: least privilege, no real calls on push, one offline run, images built."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
OFFLINE_SUITE = re.compile(r"\bmake (test|integration|e2e|e2e-bst)(?![\w-])")


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(workflow: dict[str, Any]) -> set[str]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    return {on} if isinstance(on, str) else set(on)


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job, step) for job, spec in workflow["jobs"].items() for step in spec["steps"]]


NAMES = sorted(p.name for p in WORKFLOWS.glob("*.yml"))


@pytest.mark.parametrize("name", NAMES)
def test_workflows_only_read_the_repository(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())


def test_real_calls_only_after_a_deploy_or_on_demand() -> None:
    assert triggers(load("e2e.yml")) == {"workflow_dispatch", "repository_dispatch"}


def test_the_offline_suite_runs_once() -> None:
    runs = [step.get("run", "") for name in NAMES for _, step in steps(load(name))]
    assert len([run for run in runs if OFFLINE_SUITE.search(run)]) == 1


@pytest.mark.parametrize("name", NAMES)
def test_venv_cache_is_keyed_on_os_and_python(name: str) -> None:
    for _, step in steps(load(name)):
        if step.get("uses", "").startswith("actions/cache@"):
            key = step["with"]["key"]
            assert "runner.os" in key and "python-version" in key
            assert "runner.os" in step["with"]["restore-keys"]


@pytest.mark.parametrize("name", NAMES)
def test_node_is_set_up_wherever_bst_runs(name: str) -> None:
    for job, spec in load(name)["jobs"].items():
        uses = [s.get("uses", "") for s in spec["steps"]]
        bst = re.compile(r"\bbst\b|make (test|integration|e2e-bst)")
        runs_bst = any(bst.search(s.get("run", "")) for s in spec["steps"])
        if runs_bst:
            assert any(u.startswith("actions/setup-node@") for u in uses), job


def test_images_are_built_and_answer_a_signed_call() -> None:
    runs = " ".join(step.get("run", "") for _, step in steps(load("ci.yml")))
    for dockerfile in ("docker/rasa.Dockerfile", "docker/actions.Dockerfile"):
        assert f"docker build -f {dockerfile}" in runs
    assert "deploy/compose_smoke.sh" in runs
    assert "kubeconform -strict -summary" in runs and "sha256sum -c" in runs
