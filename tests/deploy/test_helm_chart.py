"""The Helm chart, offline: values exist, values files lint, the chart renders and validates.

Rendering and ``helm lint`` use the Helm v4 SDK through ``helm-python-sdk`` (no ``helm``
binary, no cluster); those tests skip when it is not installed. The value-reference check,
yamllint, and the JSON-schema checks of the values files always run. Rendered manifests are
validated against the Kubernetes OpenAPI schemas bundled with ``kubernetes-validate``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from yamllint import linter

from tests.deploy.chart_refs import missing_in_schema, missing_in_values, value_references
from tests.deploy.common import KNOWN_VARIABLES, YAMLLINT

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "ipgov"
VALUES = {"default": CHART / "values.yaml", "production": CHART / "values-production.yaml"}
KUBE_VERSIONS = ["1.27.0", "1.37.0"]  # the chart's kubeVersion floor and the newest bundled
UVICORN_GRACEFUL_SECONDS = 20  # `ipgov serve` drains requests this long after SIGTERM
def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text()) or {}


def _schema() -> dict[str, Any]:
    return json.loads((CHART / "values.schema.json").read_text())


# --------------------------------------------------------------------------- always offline


def test_every_value_a_template_reads_exists_in_values_and_schema():
    refs = value_references(CHART)
    assert len(refs) > 50, "the scanner found too few references to be reading the templates"
    assert {"api.autoscaling.enabled", "worker.podDisruptionBudget.minAvailable",
            "secrets.keys.jwtSigningKey"} <= {r.path for r in refs}
    missing = missing_in_values(refs, _load(VALUES["default"]))
    assert not missing, "templates read values that values.yaml lacks:\n" + "\n".join(
        map(str, missing))
    undeclared = missing_in_schema(refs, _schema())
    assert not undeclared, "values.schema.json does not declare:\n" + "\n".join(
        map(str, undeclared))


def test_reference_check_names_the_template_and_line_of_an_unknown_value(tmp_path):
    chart = tmp_path / "ipgov"
    shutil.copytree(CHART, chart)
    service = chart / "templates" / "service.yaml"
    lines = service.read_text().splitlines()
    lines.insert(3, "  # {{ .Values.service.portt }}")
    service.write_text("\n".join(lines))
    hpa = chart / "templates" / "hpa.yaml"
    hpa.write_text(hpa.read_text().replace("autoscaling.maxReplicas", "autoscaling.maxReplica"))

    missing = missing_in_values(value_references(chart), _load(VALUES["default"]))
    assert sorted(map(str, missing)) == [
        "templates/hpa.yaml:18: .Values.api.autoscaling.maxReplica",
        "templates/hpa.yaml:18: .Values.worker.autoscaling.maxReplica",
        "templates/service.yaml:4: .Values.service.portt",
    ]


@pytest.mark.parametrize("path", [*VALUES.values(), CHART / "Chart.yaml"],
                         ids=["values", "values-production", "Chart"])
def test_values_files_pass_yamllint(path):
    problems = list(linter.run(path.read_text(), YAMLLINT, str(path)))
    assert not problems, "\n".join(f"{path.name}:{p.line}:{p.column} {p.message}"
                                   for p in problems)


@pytest.mark.parametrize("name", VALUES)
def test_values_files_satisfy_the_schema(name):
    values = _merged(name)
    jsonschema.validate(values, _schema())


@pytest.mark.parametrize("change,where", [
    ({"api": {"replicas": 3}}, "replicas"),
    ({"worker": {"threads": "four"}}, "four"),
    ({"securityContext": {"readOnlyRootFilesystem": False,
                          "allowPrivilegeEscalation": False}}, "True was expected"),
    ({"secrets": {"create": True}}, "should not be valid"),  # chart-made Secret in production
    ({"secrets": {"existingSecret": ""}}, "should be non-empty"),
    ({"config": {"logLevel": "verbose"}}, "verbose"),
])
def test_schema_rejects_typos_wrong_types_and_unsafe_settings(change, where):
    values = _deep_merge(_load(VALUES["default"]), change)
    with pytest.raises(jsonschema.ValidationError) as exc:
        jsonschema.validate(values, _schema())
    assert where in exc.value.message, exc.value.message


# --------------------------------------------------------------------------- Helm SDK


@pytest.fixture(scope="module")
def helm():
    return pytest.importorskip("helm_python", reason="helm-python-sdk is not installed")


@pytest.mark.parametrize("name", VALUES)
def test_chart_lints_clean(helm, name):
    report = helm.lint(str(CHART), _load(VALUES[name]), strict=True, namespace="ipgov")
    serious = [m for m in report["messages"] if m["severity"] >= 2]
    assert not report["errors"] and not serious, report


def _merged(name: str) -> dict[str, Any]:
    values = _load(VALUES["default"])
    return values if name == "default" else _deep_merge(values, _load(VALUES[name]))


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _render(helm, name: str) -> list[dict[str, Any]]:
    chart = helm.Chart.load(str(CHART))
    rendered = chart.render(_load(VALUES[name]), name="ipgov", namespace="ipgov",
                            is_install=True)
    return [doc for path, text in sorted(rendered.items()) if path.endswith(".yaml")
            for doc in yaml.safe_load_all(text) if doc]


@pytest.fixture(params=list(VALUES), scope="module")
def manifests(request, helm) -> tuple[str, dict[tuple[str, str], dict[str, Any]]]:
    docs = _render(helm, request.param)
    by_kind = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    assert len(by_kind) == len(docs), "two manifests share a kind and name"
    return request.param, by_kind


def test_rendered_manifests_validate_against_kubernetes_schemas(manifests):
    import kubernetes_validate

    _name, docs = manifests
    for version in KUBE_VERSIONS:
        for (kind, name), doc in docs.items():
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                pytest.fail(f"{kind}/{name} is invalid for Kubernetes {version}: "
                            f"{exc.message} at {list(exc.path)}")


def test_chart_has_every_workload_and_object_the_issue_asks_for(manifests):
    name, docs = manifests
    kinds = {k for k, _ in docs}
    expected = {"Deployment", "Job", "Service", "HorizontalPodAutoscaler", "ConfigMap",
                "PodDisruptionBudget", "ServiceAccount"}
    assert expected <= kinds, expected - kinds
    assert ("Ingress" in kinds) is (name == "production")
    assert {n for k, n in docs if k == "Deployment"} == {
        "ipgov-api", "ipgov-worker", "ipgov-scheduler"}
    assert {d["spec"]["scaleTargetRef"]["name"] for (k, _), d in docs.items()
            if k == "HorizontalPodAutoscaler"} == {"ipgov-api", "ipgov-worker"}
    assert {n for k, n in docs if k == "PodDisruptionBudget"} == {"ipgov-api", "ipgov-worker"}
    scheduler = docs[("Deployment", "ipgov-scheduler")]["spec"]
    assert scheduler["replicas"] == 1 and scheduler["strategy"]["type"] == "Recreate"


def test_migration_job_is_a_pre_install_and_pre_upgrade_hook(manifests):
    _name, docs = manifests
    job = docs[("Job", "ipgov-migrate")]
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:1] == ["migrate"]
    env = {e["name"] for e in container["env"]}
    assert {"IPGOV_DATABASE_URL", "IPGOV_APP_DATABASE_URL", "IPGOV_AUDIT_KEY"} <= env
    config = docs[("ConfigMap", "ipgov")]["data"]
    assert set(config) <= env, "the hook runs with the same settings as the pods"


def _containers(docs) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    out = []
    for (kind, name), doc in docs.items():
        if kind in ("Deployment", "Job"):
            pod = doc["spec"]["template"]["spec"]
            out.extend((name, pod, c) for c in pod["containers"])
    return out


def test_every_container_is_locked_down_and_sized(manifests):
    _name, docs = manifests
    for name, pod, container in _containers(docs):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] > 0, name
        assert pod["automountServiceAccountToken"] is False, name
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True, name
        assert security["allowPrivilegeEscalation"] is False, name
        assert security["capabilities"]["drop"] == ["ALL"], name
        resources = container["resources"]
        assert resources["requests"]["cpu"] and resources["requests"]["memory"], name
        assert resources["limits"]["cpu"] and resources["limits"]["memory"], name
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert {"/var/lib/ipgov", "/tmp", "/var/lib/ipgov/keys"} <= mounts, name


def test_keys_every_replica_must_share_come_from_the_secret(manifests, helm):
    _name, docs = manifests
    for name, pod, _container in _containers(docs):
        keys = next(v for v in pod["volumes"] if v["name"] == "keys")["secret"]
        assert {i["path"] for i in keys["items"]} == {"jwt-ed25519.pem", "search-cursor.key"}
        assert keys["defaultMode"] == 0o400, name
    shared = helm.Chart.load(str(CHART)).render(
        {"dataVolume": {"existingClaim": "ipgov-data"}}, name="ipgov", namespace="ipgov")
    api = yaml.safe_load(shared["ipgov/templates/api-deployment.yaml"])
    data = next(v for v in api["spec"]["template"]["spec"]["volumes"] if v["name"] == "data")
    assert data == {"name": "data", "persistentVolumeClaim": {"claimName": "ipgov-data"}}


def test_every_ipgov_variable_the_chart_sets_is_a_real_setting(manifests):
    _name, docs = manifests
    for name, _pod, container in _containers(docs):
        names = {e["name"] for e in container.get("env", [])}
        names |= set(docs[("ConfigMap", "ipgov")]["data"])
        unknown = {n for n in names if n.startswith("IPGOV_")} - KNOWN_VARIABLES
        assert not unknown, f"{name} sets variables ipgov does not read: {unknown}"


def test_api_probes_health_endpoints_and_outlives_its_drain(manifests):
    _name, docs = manifests
    pod = docs[("Deployment", "ipgov-api")]["spec"]["template"]["spec"]
    api = pod["containers"][0]
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["startupProbe"]["httpGet"]["path"] == "/healthz"
    pause = int(api["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pod["terminationGracePeriodSeconds"] > pause + UVICORN_GRACEFUL_SECONDS
    service = docs[("Service", "ipgov")]["spec"]
    assert service["selector"] == docs[("Deployment", "ipgov-api")]["spec"]["selector"][
        "matchLabels"]


def test_worker_grace_period_exceeds_its_shutdown_timeout(manifests):
    name, docs = manifests
    pod = docs[("Deployment", "ipgov-worker")]["spec"]["template"]["spec"]
    args = pod["containers"][0]["args"]
    timeout_ms = int(args[args.index("--worker-shutdown-timeout") + 1])
    assert timeout_ms == _merged(name)["worker"]["shutdownTimeoutSeconds"] * 1000
    assert pod["terminationGracePeriodSeconds"] * 1000 > timeout_ms
    assert pod["containers"][0]["command"][-1] == "ipgov.reviews.entry"
