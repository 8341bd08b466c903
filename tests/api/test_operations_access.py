"""Operations endpoints in production: /metrics behind CDS_OPERATIONS_TOKEN, /docs and /redoc
off, /openapi.json authenticated like discovery, /healthz and /readyz open."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey

from tests.app_client import app_client
from tests.auth.helpers import public_jwks, sign

BASE = "https://cds.example.org"
ISS = "https://ehr.example.org"
OPERATIONS_TOKEN = "ops-" + "x" * 28


def prod_client(tmp_path: Path, key: ECKey, **overrides: object) -> TestClient:
    clients_file = tmp_path / "trusted-clients.json"
    clients_file.write_text(json.dumps({"clients": [{"iss": ISS, "jwks": public_jwks(key)}]}))
    return app_client(
        tmp_path,
        env="prod",
        today=None,
        auth_required=True,
        trusted_clients=str(clients_file),
        public_base_url=BASE,
        **overrides,
    )


def jwt_for(key: ECKey, path: str) -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": ISS, "aud": BASE + path, "iat": now, "exp": now + 300}
    return {"Authorization": "Bearer " + sign(key, {**claims, "jti": str(uuid.uuid4())})}


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_metrics_need_the_operations_token(tmp_path: Path, ec_key: ECKey) -> None:
    client = prod_client(tmp_path, ec_key, operations_token=OPERATIONS_TOKEN)
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert client.get("/metrics", headers=bearer("ops-" + "y" * 28)).status_code == 401
    assert client.get("/metrics", headers={"Authorization": OPERATIONS_TOKEN}).status_code == 401
    # a valid EHR JWT is not the operations token
    assert client.get("/metrics", headers=jwt_for(ec_key, "/metrics")).status_code == 401
    granted = client.get("/metrics", headers=bearer(OPERATIONS_TOKEN))
    assert granted.status_code == 200
    assert "cds_http_requests_total" in granted.text


def test_metrics_are_refused_in_production_without_a_token(tmp_path: Path, ec_key: ECKey) -> None:
    response = prod_client(tmp_path, ec_key).get("/metrics", headers=bearer("anything-at-all!"))
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"


def test_metrics_are_open_in_development_without_a_token(tmp_path: Path) -> None:
    assert app_client(tmp_path).get("/metrics").status_code == 200


def test_development_with_a_token_checks_it(tmp_path: Path) -> None:
    client = app_client(tmp_path, operations_token=OPERATIONS_TOKEN)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer(OPERATIONS_TOKEN)).status_code == 200


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_documentation_pages_are_off_in_production(
    tmp_path: Path, ec_key: ECKey, path: str
) -> None:
    client = prod_client(tmp_path, ec_key, operations_token=OPERATIONS_TOKEN)
    assert client.get(path, headers=jwt_for(ec_key, path)).status_code == 404


def test_documentation_pages_are_served_in_development(tmp_path: Path) -> None:
    client = app_client(tmp_path)
    for path in ("/docs", "/redoc"):
        response = client.get(path)
        assert response.status_code == 200
        assert "/openapi.json" in response.text


def test_openapi_document_is_authenticated_like_discovery(tmp_path: Path, ec_key: ECKey) -> None:
    client = prod_client(tmp_path, ec_key)
    refused = client.get("/openapi.json")
    assert refused.status_code == 401
    assert refused.content == b""
    granted = client.get("/openapi.json", headers=jwt_for(ec_key, "/openapi.json"))
    assert granted.status_code == 200
    assert "/cds-services/{service_id}" in granted.json()["paths"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_stay_open_in_production(tmp_path: Path, ec_key: ECKey, path: str) -> None:
    client = prod_client(tmp_path, ec_key, operations_token=OPERATIONS_TOKEN)
    assert client.get(path).status_code == 200


def test_a_short_operations_token_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 16"):
        app_client(tmp_path, operations_token="short")
