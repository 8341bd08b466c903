"""The deployment files, checked by reading them (no Docker engine runs here).

docker-compose.yml: the loader runs a real command of our CLI with real options, the
service's environment names are real settings and their values make valid settings, the
health checks call a path the app serves, the service's database is the `postgres` service's
(and its URL migrates a real PostgreSQL). Dockerfile and .env.example likewise.
"""

from __future__ import annotations

import re
import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer.main
import yaml
from sqlalchemy.engine import make_url

from cds_service.cli import app as cli_app
from cds_service.settings import Settings
from cds_service.storage import upgrade_database
from tests.live_server import LiveServer, live_server
from tests.postgres_cluster import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SETTING_NAMES = {f"CDS_{name.upper()}" for name in Settings.model_fields}
OUR_IMAGE = "myositis-cds"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("deploy") / "feedback.sqlite3"
    with live_server(database_url=f"sqlite:///{db}") as running:
        yield running


def interpolate(value: str) -> str:
    """Compose's ``${NAME:-default}`` and ``${NAME}`` with nothing set in the environment."""
    return re.sub(r"\$\{\w+(?::?-([^}]*))?\}", lambda m: m.group(1) or "", value)


def resolve_cli(argv: list[str]) -> Any:
    """Parse argv against our CLI as the console script would, without running it: the
    click context of the command reached (typer bundles its own click, hence duck typing)."""
    assert argv[0] == "myositis-cds"
    command: Any = typer.main.get_command(cli_app)
    args = argv[1:]
    while hasattr(command, "commands"):  # a group: descend to the named subcommand
        name, args = args[0], args[1:]
        assert name in command.commands, f"no command {name!r} in {argv}"
        command = command.commands[name]
    return command.make_context(argv[0], list(args))


def our_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in COMPOSE["services"].items()
        if str(service.get("image", "")).startswith(OUR_IMAGE)
    }


def healthcheck_path(command: str) -> str:
    match = re.search(r"http://127\.0\.0\.1:[^/]+(/[\w/-]*)", command)
    assert match, command
    return match.group(1)


def test_compose_has_the_service_hapi_postgres_and_the_loader() -> None:
    assert set(COMPOSE["services"]) == {"cds", "hapi", "postgres", "fixtures"}
    assert set(our_services()) == {"cds", "fixtures"}


def test_hapi_is_pinned_and_r4() -> None:
    hapi = COMPOSE["services"]["hapi"]
    image, _, tag = hapi["image"].partition(":")
    assert image == "hapiproject/hapi"
    assert re.fullmatch(r"v\d+\.\d+\.\d+", tag), tag
    assert hapi["environment"]["hapi.fhir.fhir_version"] == "R4"


def compose_database_url() -> str:
    return interpolate(COMPOSE["services"]["cds"]["environment"]["CDS_DATABASE_URL"])


def test_postgres_is_pinned_and_the_service_uses_it_once_healthy() -> None:
    postgres = COMPOSE["services"]["postgres"]
    image, _, tag = postgres["image"].partition(":")
    assert image == "postgres"
    assert re.fullmatch(r"\d+\.\d+-\w+", tag), tag
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert COMPOSE["services"]["cds"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]


def test_the_service_database_url_names_the_postgres_service_and_its_account() -> None:
    url = make_url(compose_database_url())
    account = {
        k: interpolate(str(v)) for k, v in COMPOSE["services"]["postgres"]["environment"].items()
    }
    assert url.get_backend_name() == "postgresql"
    assert (url.host, url.port) == ("postgres", 5432)
    assert url.username == account["POSTGRES_USER"]
    assert url.password == account["POSTGRES_PASSWORD"]
    assert url.database == account["POSTGRES_DB"]
    check = COMPOSE["services"]["postgres"]["healthcheck"]["test"]
    assert account["POSTGRES_USER"] in check and account["POSTGRES_DB"] in check


@pytest.mark.postgres
def test_the_service_database_url_migrates_a_real_postgresql(
    postgres_cluster: PostgresCluster,
) -> None:
    """The compose URL, pointed at the test server instead of the `postgres` container
    (same driver, user and database name), is one `serve` can migrate and use."""
    url = make_url(compose_database_url())
    assert url.database is not None
    postgres_cluster.create_database(f"{url.database}_{uuid.uuid4().hex[:8]}")
    local = url.set(host="127.0.0.1", port=postgres_cluster.port, username="cds",
                    database=postgres_cluster.databases[-1])  # fmt: skip
    status = upgrade_database(local.render_as_string(hide_password=False))
    assert status.at_head


def test_the_loader_runs_a_real_cli_command() -> None:
    loader = COMPOSE["services"]["fixtures"]
    command = loader["command"]
    argv = command if isinstance(command, list) else shlex.split(command)
    context = resolve_cli(argv)
    assert context.command.name == "load"
    assert context.params["fhir"] == "http://hapi:8080/fhir"
    assert context.params["wait"] > 60  # HAPI takes a while to start
    assert loader["restart"] == "no"
    assert "hapi" in loader["depends_on"]


def test_the_loader_reaches_hapi_by_its_service_name() -> None:
    hapi_ports = [p.split(":")[-1] for p in COMPOSE["services"]["hapi"]["ports"]]
    assert "8080" in hapi_ports


@pytest.mark.parametrize("name", ["cds", "fixtures"])
def test_environment_names_are_real_settings(name: str) -> None:
    environment = our_services()[name].get("environment", {})
    unknown = {key for key in environment if key.startswith("CDS_")} - SETTING_NAMES
    assert not unknown


def test_the_services_environment_makes_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(SETTING_NAMES):
        monkeypatch.delenv(key, raising=False)
    for key, value in COMPOSE["services"]["cds"]["environment"].items():
        monkeypatch.setenv(key, interpolate(str(value)))
    settings = Settings()
    assert settings.is_dev and settings.serves_embedded_fhir
    assert settings.host == "0.0.0.0"  # noqa: S104 - inside the container
    assert settings.link_secret is None  # empty in the file means unset


def test_cds_shares_hapis_network_and_hapi_publishes_its_port() -> None:
    cds = COMPOSE["services"]["cds"]
    assert cds["network_mode"] == "service:hapi"
    port = str(cds["environment"]["CDS_PORT"])
    assert f"{port}:{port}" in COMPOSE["services"]["hapi"]["ports"]


def test_compose_healthcheck_calls_a_path_the_app_serves(server: LiveServer) -> None:
    test = COMPOSE["services"]["cds"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    path = healthcheck_path(" ".join(test))
    assert httpx.get(f"{server.base_url}{path}").status_code == 200


def test_dockerfile(server: LiveServer) -> None:
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1] not in ("root", "0")
    healthcheck = DOCKERFILE[DOCKERFILE.index("HEALTHCHECK") :].split("\n\n")[0]
    assert "CMD python -c" in healthcheck and "curl" not in healthcheck
    path = healthcheck_path(healthcheck.replace("%s", "8000"))
    assert httpx.get(f"{server.base_url}{path}").status_code == 200
    cmd = re.findall(r"^CMD (\[.*\])$", DOCKERFILE, re.M)
    assert cmd == ['["myositis-cds", "serve"]']
    assert resolve_cli(["myositis-cds", "serve"]).command.name == "serve"


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    text = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^#? ?(CDS_[A-Z_]+)=", text, re.M))
    assert named == SETTING_NAMES, (
        f"missing: {sorted(SETTING_NAMES - named)}, unknown: {sorted(named - SETTING_NAMES)}"
    )


def test_env_example_uncommented_values_make_valid_prod_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key in list(SETTING_NAMES):
        monkeypatch.delenv(key, raising=False)
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith("CDS_"):
            key, _, value = line.partition("=")
            monkeypatch.setenv(key, value.strip("'"))
    clients = tmp_path / "trusted-clients.json"
    monkeypatch.setenv("CDS_TRUSTED_CLIENTS", str(clients))
    settings = Settings()
    assert settings.env.value == "prod" and settings.auth_required
    assert settings.public_base_url.startswith("https://")
    assert settings.cors_origins == ("https://ehr.example.org",)
