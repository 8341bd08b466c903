"""Authentication on every endpoint, and the FHIR-server allow-list, through HTTP."""

from __future__ import annotations

import copy
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pydantic
import pytest
import respx
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey, RSAKey

from cds_service.settings import Settings
from tests.app_client import app_client
from tests.auth.helpers import public_jwks, sign
from tests.scenario_files import scenario

BASE = "https://cds.example.org"
ISS = "https://ehr.example.org"
TRUSTED_FHIR = "https://ehr.example.org/fhir"
SERVICE = "/cds-services/myositis-refractory-patient-view"


def token(key: ECKey | RSAKey, path: str, *, alg: str = "ES384", **overrides: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": ISS,
        "aud": BASE + path,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    payload.update(overrides)
    return sign(key, payload, alg=alg)


@pytest.fixture
def client(tmp_path: Path, ec_key: ECKey, rsa_key: RSAKey) -> TestClient:
    clients_file = tmp_path / "trusted-clients.json"
    clients_file.write_text(
        json.dumps(
            {
                "clients": [
                    {
                        "iss": ISS,
                        "jwks": public_jwks(ec_key, rsa_key),
                        "fhir_servers": [TRUSTED_FHIR],
                    }
                ]
            }
        )
    )
    return app_client(
        tmp_path, auth_required=True, trusted_clients=str(clients_file), public_base_url=BASE
    )


def auth(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_discovery_needs_a_token(client: TestClient) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 401
    assert response.content == b""
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("alg", ["ES384", "RS384"])
def test_both_recommended_algorithms_are_accepted(
    client: TestClient, ec_key: ECKey, rsa_key: RSAKey, alg: str
) -> None:
    key = ec_key if alg == "ES384" else rsa_key
    response = client.get("/cds-services", headers=auth(token(key, "/cds-services", alg=alg)))
    assert response.status_code == 200


def test_a_token_for_another_endpoint_is_refused(client: TestClient, ec_key: ECKey) -> None:
    response = client.get("/cds-services", headers=auth(token(ec_key, SERVICE)))
    assert response.status_code == 401


def test_a_replayed_token_is_refused(client: TestClient, ec_key: ECKey) -> None:
    raw = token(ec_key, "/cds-services")
    assert client.get("/cds-services", headers=auth(raw)).status_code == 200
    assert client.get("/cds-services", headers=auth(raw)).status_code == 401


def test_feedback_and_service_calls_need_a_token(client: TestClient) -> None:
    assert client.post(SERVICE, json={}).status_code == 401
    assert client.post(SERVICE + "/feedback", json={"feedback": []}).status_code == 401


def test_an_expired_token_is_refused_without_detail(client: TestClient, ec_key: ECKey) -> None:
    old = int(time.time()) - 3600
    raw = token(ec_key, "/cds-services", iat=old, exp=old + 300)
    response = client.get("/cds-services", headers=auth(raw))
    assert response.status_code == 401
    assert response.content == b""


def _request_without_conditions(fhir_server: str) -> dict[str, Any]:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["fhirServer"] = fhir_server
    body["fhirAuthorization"] = {
        "access_token": "ehr-access-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": "myositis-cds",
    }
    del body["prefetch"]["conditions"]
    return body


@respx.mock
def test_a_fhir_server_outside_the_allow_list_is_never_contacted(
    client: TestClient, ec_key: ECKey
) -> None:
    evil = respx.route(host="evil.example.com")
    body = _request_without_conditions("https://evil.example.com/fhir")
    response = client.post(SERVICE, json=body, headers=auth(token(ec_key, SERVICE)))
    assert response.status_code == 412
    assert not evil.called


@respx.mock
def test_a_trusted_fhir_server_gets_the_access_token(client: TestClient, ec_key: ECKey) -> None:
    bundle = scenario("statin-and-hmgcr").bundle
    conditions = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"]
    route = respx.get(url__startswith=f"{TRUSTED_FHIR}/Condition").respond(
        json={"resourceType": "Bundle", "type": "searchset", "entry": conditions}
    )
    body = _request_without_conditions(TRUSTED_FHIR)
    response = client.post(SERVICE, json=body, headers=auth(token(ec_key, SERVICE)))
    assert response.status_code == 200, response.text
    assert route.calls.last.request.headers["Authorization"] == "Bearer ehr-access-token"


def test_production_refuses_to_start_with_authentication_off() -> None:
    with pytest.raises(pydantic.ValidationError, match="refuses to start"):
        Settings(env="prod", auth_required=False)


def test_authentication_without_trusted_clients_refuses_to_start() -> None:
    with pytest.raises(pydantic.ValidationError, match="CDS_TRUSTED_CLIENTS"):
        Settings(env="prod", auth_required=True)


def test_aud_is_the_url_exactly_as_called(client: TestClient, ec_key: ECKey) -> None:
    encoded = "/cds-services/myositis%2Drefractory-patient-view"
    as_called = client.post(encoded, json={}, headers=auth(token(ec_key, encoded)))
    assert as_called.status_code == 422  # authenticated; the empty body is then refused
    decoded = client.post(encoded, json={}, headers=auth(token(ec_key, SERVICE)))
    assert decoded.status_code == 401


def test_production_needs_an_https_public_base_url(tmp_path: Path) -> None:
    clients = tmp_path / "clients.json"
    clients.write_text('{"clients": []}')
    with pytest.raises(pydantic.ValidationError, match="https"):
        Settings(env="prod", trusted_clients=str(clients), public_base_url="http://cds.local")


def test_cors_is_open_in_dev_and_closed_in_prod_unless_configured(tmp_path: Path) -> None:
    clients = tmp_path / "clients.json"
    clients.write_text('{"clients": []}')
    prod = {"env": "prod", "trusted_clients": str(clients), "public_base_url": "https://c.org"}
    assert Settings.model_validate(prod).allowed_origins == []
    configured = Settings.model_validate({**prod, "cors_origins": ["https://ehr.org"]})
    assert configured.allowed_origins == ["https://ehr.org"]
    dev = Settings.model_validate({"env": "dev", "auth_required": False})
    assert dev.allowed_origins == ["*"]
