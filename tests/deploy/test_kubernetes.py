"""The Kubernetes manifests (deploy/kubernetes/), checked offline: no cluster runs here.

Each manifest is validated against the Kubernetes API schemas that the ``kubernetes-validate``
package ships (strict: unknown fields are errors), with every network connection refused
during validation, so that the check cannot depend on fetching a schema. Then what the
schemas cannot know: the probes call paths the app serves, the ports agree, the commands are
real commands of our CLI, the settings are real and valid, the pods run unprivileged on a
read-only root, and the migration Job, given only its own environment, migrates a database.
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import kubernetes_validate
import pytest
import yaml

from cds_service.cdshooks.auth import load_trusted_clients
from cds_service.settings import Settings
from cds_service.storage import make_engine, schema_status
from tests.deploy.test_compose import DOCKERFILE, SETTING_NAMES, resolve_cli
from tests.live_server import LiveServer, live_server

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = kubernetes_validate.latest_version()
Manifest = dict[str, Any]


def load_all() -> dict[str, list[Manifest]]:
    return {
        path.name: [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        for path in sorted(MANIFESTS.glob("*.yaml"))
    }


FILES = load_all()
RESOURCES = [doc for name, docs in FILES.items() if name != "kustomization.yaml" for doc in docs]


def one(kind: str, name: str | None = None) -> Manifest:
    found = [
        doc
        for doc in RESOURCES
        if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


DEPLOYMENT = one("Deployment")
POD = DEPLOYMENT["spec"]["template"]["spec"]
CONTAINER = POD["containers"][0]
JOB = one("Job")
JOB_POD = JOB["spec"]["template"]["spec"]
CONFIG = one("ConfigMap", "myositis-cds-config")
SECRET = one("Secret")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the validator tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("kubernetes") / "feedback.sqlite3"
    with live_server(database_url=f"sqlite:///{db}") as running:
        yield running


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    "resource", RESOURCES, ids=[f"{r['kind']}/{r['metadata']['name']}" for r in RESOURCES]
)
def test_each_manifest_is_valid_for_kubernetes(resource: Manifest) -> None:
    kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


@pytest.mark.usefixtures("no_network")
def test_the_validator_refuses_a_broken_manifest() -> None:
    broken = copy.deepcopy(DEPLOYMENT)
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["pathh"] = "/"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    wrong_type = copy.deepcopy(DEPLOYMENT)
    wrong_type["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_lists_every_manifest() -> None:
    (kustomization,) = FILES["kustomization.yaml"]
    assert sorted(kustomization["resources"]) == sorted(set(FILES) - {"kustomization.yaml"})


def test_the_deployment_serves_with_our_cli() -> None:
    assert resolve_cli(CONTAINER["command"]).command.name == "serve"


def test_the_migration_job_runs_db_upgrade_before_the_pods() -> None:
    context = resolve_cli(JOB_POD["containers"][0]["command"])
    assert context.command.name == "upgrade"
    assert context.params["revision"] == "head"
    assert JOB_POD["restartPolicy"] in ("OnFailure", "Never")
    assert JOB_POD["containers"][0]["image"] == CONTAINER["image"]


def test_the_migration_job_given_only_its_environment_migrates_a_database(
    tmp_path: Path,
) -> None:
    (variable,) = JOB_POD["containers"][0]["env"]
    assert variable["name"] == "CDS_DATABASE_URL"
    assert variable["valueFrom"]["secretKeyRef"]["name"] == SECRET["metadata"]["name"]
    assert variable["valueFrom"]["secretKeyRef"]["key"] in SECRET["stringData"]
    url = f"sqlite:///{tmp_path / 'job.sqlite3'}"
    env = {"PATH": os.environ["PATH"], "CDS_DATABASE_URL": url}  # nothing else, as in the Job
    done = subprocess.run(  # noqa: S603 - our own interpreter and CLI
        [sys.executable, "-m", "cds_service.cli", *JOB_POD["containers"][0]["command"][1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    try:
        assert schema_status(engine).at_head
    finally:
        engine.dispose()


def test_probes_call_paths_the_app_serves_on_the_container_port(server: LiveServer) -> None:
    (port,) = CONTAINER["ports"]
    assert port["containerPort"] == int(CONFIG["data"]["CDS_PORT"])
    probes = {name: CONTAINER[name]["httpGet"] for name in ("livenessProbe", "readinessProbe")}
    assert probes["livenessProbe"]["path"] == "/healthz"
    assert probes["readinessProbe"]["path"] == "/readyz"
    for probe in [*probes.values(), CONTAINER["startupProbe"]["httpGet"]]:
        assert probe["port"] in (port["name"], port["containerPort"])
        assert httpx.get(server.base_url + probe["path"]).status_code == 200


def test_the_service_and_autoscaler_point_at_the_deployment() -> None:
    service = one("Service")
    labels = DEPLOYMENT["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert DEPLOYMENT["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == CONTAINER["ports"][0]["name"]
    hpa = one("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
    assert hpa["spec"]["scaleTargetRef"]["name"] == DEPLOYMENT["metadata"]["name"]
    assert hpa["spec"]["minReplicas"] >= 2
    budget = one("PodDisruptionBudget")
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("pod", [POD, JOB_POD], ids=["deployment", "migration-job"])
def test_pods_run_unprivileged_on_a_read_only_root_with_resources(pod: Manifest) -> None:
    uid = int(DOCKERFILE.split("--uid ", 1)[1].split()[0])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == uid
    assert pod["automountServiceAccountToken"] is False
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert {"/tmp"} <= {mount["mountPath"] for mount in container["volumeMounts"]}
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound])


def test_the_pods_settings_are_real_and_make_valid_production_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = {**CONFIG["data"], **SECRET["stringData"]}
    assert set(data) <= SETTING_NAMES
    secrets = {"CDS_DATABASE_URL", "CDS_LINK_SECRET", "CDS_LEDGER_KEY"}
    assert secrets <= set(SECRET["stringData"])
    assert not secrets & set(CONFIG["data"])  # secrets only
    refs = {source.get("configMapRef", source.get("secretRef"))["name"] for source in
            CONTAINER["envFrom"]}  # fmt: skip
    assert refs == {CONFIG["metadata"]["name"], SECRET["metadata"]["name"]}
    for key in list(SETTING_NAMES):
        monkeypatch.delenv(key, raising=False)
    # The template's values are placeholders: a real key and the mounted clients file here.
    clients = load_trusted_clients_from_the_config_map(tmp_path)
    for key, value in data.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CDS_TRUSTED_CLIENTS", str(clients))
    with pytest.raises(ValueError, match="CDS_LINK_SECRET"):
        Settings()  # the placeholder key is refused: a template applied as is does not start
    monkeypatch.setenv("CDS_LINK_SECRET", "ab" * 32)
    with pytest.raises(ValueError, match="CDS_LEDGER_KEY"):
        Settings()
    monkeypatch.setenv("CDS_LEDGER_KEY", "cd" * 32)
    settings = Settings()
    assert settings.env.value == "prod" and settings.auth_required and settings.workers == 1
    assert make_engine(settings.database_url).dialect.name == "postgresql"


def load_trusted_clients_from_the_config_map(tmp_path: Path) -> Path:
    mounted = one("ConfigMap", "myositis-cds-trusted-clients")
    volume = next(v for v in POD["volumes"] if v["name"] == "trusted-clients")
    assert volume["configMap"]["name"] == mounted["metadata"]["name"]
    mount = next(m for m in CONTAINER["volumeMounts"] if m["name"] == "trusted-clients")
    expected = Path(CONFIG["data"]["CDS_TRUSTED_CLIENTS"])
    assert expected.parent == Path(mount["mountPath"]) and expected.name in mounted["data"]
    path = tmp_path / expected.name
    path.write_text(mounted["data"][expected.name])
    assert len(load_trusted_clients(path)) == 1
    return path
