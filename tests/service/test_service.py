"""``build_service``: the one composition root, its not-ready state and its offline form."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey

from cds_service.app import create_app
from cds_service.cdshooks.auth import TrustedClients, load_trusted_clients
from cds_service.cdshooks.models import CdsRequest
from cds_service.cdshooks.registry import SERVICES_BY_ID
from cds_service.service import NotReady, build_service
from cds_service.settings import Settings
from tests.app_client import settings_for_tests
from tests.scenario_files import scenario

PATIENT_VIEW = SERVICES_BY_ID["myositis-refractory-patient-view"]


def not_ready_settings(tmp_path: Path) -> Settings:
    return settings_for_tests(tmp_path, mappings_dir=str(tmp_path / "no-mappings"))


def test_a_service_without_terminology_is_explicitly_not_ready(tmp_path: Path) -> None:
    service = build_service(not_ready_settings(tmp_path))
    assert not service.ready
    assert any("manifest.toml" in problem for problem in service.problems)
    request = CdsRequest.model_validate(scenario("statin-and-hmgcr").request)
    with pytest.raises(NotReady) as raised:
        asyncio.run(service.call(PATIENT_VIEW, request))
    assert raised.value.problems == service.problems


def test_the_faces_report_the_not_ready_state(tmp_path: Path) -> None:
    with TestClient(create_app(not_ready_settings(tmp_path))) as client:
        ready = client.get("/readyz")
        call = client.post(
            f"/cds-services/{PATIENT_VIEW.id}", json=scenario("statin-and-hmgcr").request
        )
    assert ready.status_code == 503
    assert ready.json()["status"] == "not-ready"
    assert call.status_code == 503


def test_the_trusted_clients_file_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: ECKey
) -> None:
    clients = tmp_path / "clients.json"
    public_key = ec_key.as_dict(private=False)
    clients.write_text(
        json.dumps(
            {"clients": [{"iss": "https://ehr.example.org", "jwks": {"keys": [public_key]}}]}
        )
    )
    reads: list[Path] = []

    def counting(path: Path) -> TrustedClients:
        reads.append(path)
        return load_trusted_clients(path)

    monkeypatch.setattr("cds_service.service.build.load_trusted_clients", counting)
    service = build_service(
        settings_for_tests(
            tmp_path, auth_required=True, trusted_clients=str(clients), link_secret="c3" * 32
        )
    )
    assert reads == [clients]
    assert service.verifier is not None
    assert service.timeline is not None  # the timeline shares the same clients


def test_an_offline_service_answers_from_prefetch_without_links_or_database(
    tmp_path: Path,
) -> None:
    settings = settings_for_tests(
        tmp_path, database_url=f"sqlite:///{tmp_path / 'db' / 'never.sqlite3'}"
    )
    service = build_service(settings, offline=True)
    body: dict[str, Any] = scenario("statin-and-hmgcr").request
    result = asyncio.run(service.call(PATIENT_VIEW, CdsRequest.model_validate(body)))
    assert "statin-and-hmgcr" in result.finding_codes
    assert all("links" not in card for card in result.cards)
    assert not (tmp_path / "db").exists()
    assert service.feedback is None and service.links is None
