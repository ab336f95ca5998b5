"""Deployments that a cluster and compose can run: probes, secrets, pins, non-root.

Offline there is no cluster and no kubeconform schema download, so the rules
that matter are checked on the parsed YAML; CI also runs kubeconform
(.github/workflows/ci.yml). When ``kubernetes-validate`` (which ships the
Kubernetes JSON schemas) is installed, every manifest is also schema-checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
COMPONENT = "app.kubernetes.io/component"
# Readiness: the full health route. Liveness: a route of the same server that does
# not depend on other parts (Rasa's root), so an outage elsewhere restarts nothing.
READY = {"rasa": "/webhooks/twilio_voice/", "actions": "/health", "duckling": "/"}
ALIVE = {"rasa": "/", "actions": "/health", "duckling": "/"}
SECRET_NAME = "helpdesk-voice-secrets"
SECRET_KEYS = {"TWILIO_AUTH_TOKEN", "SNOW_PASSWORD", "TRACKER_STORE_URL", "LOCK_STORE_URL"}
SECRET_LOOKING = re.compile(r"TOKEN|PASSWORD|SECRET|_KEY$|STORE_URL")
CREDENTIALS_IN_URL = re.compile(r"://[^/@\s]+:[^/@\s]+@")
Doc = dict[str, Any]


def manifests() -> list[Doc]:
    docs = []
    for path in sorted(K8S.rglob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def of_kind(kind: str) -> list[Doc]:
    return [d for d in manifests() if d["kind"] == kind]


def containers(deployment: Doc, init: bool = True) -> list[Doc]:
    spec = deployment["spec"]["template"]["spec"]
    return spec["containers"] + (spec.get("initContainers", []) if init else [])


def container_port(container: Doc, port: int | str) -> int:
    """A probe's or Service's port (number or name) as the container's port number."""
    for declared in container.get("ports", []):
        if port in (declared["containerPort"], declared.get("name")):
            return declared["containerPort"]
    raise AssertionError(f"{container['name']} declares no port {port!r}")


def service_for(deployment: Doc) -> Doc:
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    matches = [s for s in of_kind("Service") if s["spec"]["selector"].items() <= labels.items()]
    assert len(matches) == 1, f"{deployment['metadata']['name']}: {len(matches)} Services"
    return matches[0]


def deployment_ids() -> list[str]:
    return [d["metadata"]["name"] for d in of_kind("Deployment")]


@pytest.fixture(params=deployment_ids())
def deployment(request: pytest.FixtureRequest) -> Doc:
    return next(d for d in of_kind("Deployment") if d["metadata"]["name"] == request.param)


def test_rasa_the_action_server_and_duckling_are_deployed() -> None:
    components = {d["metadata"]["labels"][COMPONENT] for d in of_kind("Deployment")}
    assert components == set(READY)
    rasa = next(d for d in of_kind("Deployment") if d["metadata"]["labels"][COMPONENT] == "rasa")
    assert rasa["spec"]["replicas"] >= 2
    budgets = [p for p in of_kind("PodDisruptionBudget") if p["spec"]["minAvailable"] >= 1]
    assert [p["spec"]["selector"]["matchLabels"][COMPONENT] for p in budgets] == ["rasa"]


def test_probes_hit_the_health_route_on_the_service_port(deployment: Doc) -> None:
    main = containers(deployment, init=False)[0]
    component = deployment["metadata"]["labels"][COMPONENT]
    target = service_for(deployment)["spec"]["ports"][0]["targetPort"]
    for probe, paths in (("readinessProbe", READY), ("livenessProbe", ALIVE)):
        get = main[probe]["httpGet"]
        assert get["path"] == paths[component], f"{probe} of {main['name']}"
        assert container_port(main, get["port"]) == container_port(main, target)


def test_secrets_come_from_the_secret(deployment: Doc) -> None:
    template = next(s for s in of_kind("Secret") if s["metadata"]["name"] == SECRET_NAME)
    assert set(template["stringData"]) == SECRET_KEYS
    for container in containers(deployment):
        for env in container.get("env", []):
            if SECRET_LOOKING.search(env["name"]):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                assert ref == {"name": SECRET_NAME, "key": env["name"]}, env["name"]
                assert "value" not in env


def test_rasa_and_the_action_server_share_the_tracker_database() -> None:
    for deployment in of_kind("Deployment"):
        names = {e["name"] for c in containers(deployment) for e in c.get("env", [])}
        shares = deployment["metadata"]["labels"][COMPONENT] in ("rasa", "actions")
        assert ("TRACKER_STORE_URL" in names) == shares, deployment["metadata"]["name"]


def test_config_maps_hold_no_secrets() -> None:
    for config in of_kind("ConfigMap"):
        for key, value in config["data"].items():
            assert not SECRET_LOOKING.search(key), f"{key} belongs in the Secret"
            assert not CREDENTIALS_IN_URL.search(value), f"{key} carries credentials"


def test_the_secret_template_holds_only_placeholders() -> None:
    for secret in of_kind("Secret"):
        for key, value in secret["stringData"].items():
            if key.endswith("_URL") and not CREDENTIALS_IN_URL.search(value):
                continue  # an address without credentials is no secret
            assert "REPLACE_ME" in value, f"{key} must stay a placeholder"


def test_images_are_pinned_and_resources_bounded(deployment: Doc) -> None:
    for container in containers(deployment):
        image = container["image"]
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert "@sha256:" in image or (tag and tag != "latest"), image
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), container["name"]


def test_pods_never_run_as_root(deployment: Doc) -> None:
    pod = deployment["spec"]["template"]["spec"]["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] != 0
    for container in containers(deployment):
        assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_manifests_match_the_kubernetes_schemas() -> None:
    validator = pytest.importorskip("kubernetes_validate")
    for doc in manifests():
        try:
            validator.validate(doc, "1.28.0", strict=True)
        except (validator.ValidationError, jsonschema.ValidationError) as error:
            pytest.fail(f"{doc['kind']} {doc['metadata']['name']}: {error.message}")


# -- docker-compose.yml --------------------------------------------------------


def compose() -> Doc:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.mark.parametrize(
    ("service", "route"),
    [
        ("rasa", "http://127.0.0.1:5005/webhooks/twilio_voice/"),
        ("actions", "http://127.0.0.1:5055/health"),
        ("duckling", "/dev/tcp/127.0.0.1/8000"),
    ],
)
def test_compose_healthchecks_probe_the_health_routes(service: str, route: str) -> None:
    assert route in " ".join(compose()["services"][service]["healthcheck"]["test"])


def test_every_compose_service_restarts_and_is_checked() -> None:
    for name, service in compose()["services"].items():
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name


def test_services_start_after_their_dependencies_are_healthy() -> None:
    services = compose()["services"]
    assert set(services["rasa"]["depends_on"]) == set(services) - {"rasa"}
    assert set(services["actions"]["depends_on"]) == {"postgres"}
    for service in services.values():
        for dependency in service.get("depends_on", {}).values():
            assert dependency["condition"] == "service_healthy"


def test_every_password_has_one_required_source() -> None:
    env = {name: s.get("environment", {}) for name, s in compose()["services"].items()}
    required = "${TRACKER_DB_PASSWORD:?"
    text = (ROOT / "docker-compose.yml").read_text()
    assert env["postgres"]["POSTGRES_PASSWORD"].startswith(required)
    for service in ("rasa", "actions"):  # conversations and the ticket outbox share it
        assert f"postgres:{required}" in env[service]["TRACKER_STORE_URL"]
    assert text.count(required) == 2, "one password, written once for Postgres, once in the URL"
    assert not re.search(r"\$\{[A-Z_]*(PASSWORD|TOKEN)[A-Z_]*:?-", text), "no default secrets"


def test_compose_runs_the_model_ci_trained() -> None:
    rasa = compose()["services"]["rasa"]
    assert "./rasa_bot/models:/app/models:ro" in rasa["volumes"]
    assert rasa["environment"]["LOCK_STORE_URL"] == "redis://redis:6379/0"
