"""Production: a card's ``absolute`` link no longer shows data by itself. It starts the SMART
authorization at the FHIR server it names (a trusted client's, with its ``smart_client_id``),
and the page appears only after the callback, drawn from reads made with the clinician's
token. The EHR (its SMART endpoints and FHIR server) is mocked with respx; the service and
Authlib's protocol messages are real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey

from cds_service.app import create_app
from cds_service.cdshooks.timeline_link import TimelineLinks
from cds_service.settings import Settings, decode_link_secret
from tests.auth.helpers import public_jwks
from tests.scenario_files import scenario

EHR_FHIR = "https://ehr.example.org/fhir"
AUTHORIZE = "https://ehr.example.org/oauth2/authorize"
TOKEN = "https://ehr.example.org/oauth2/token"
BASE = "https://cds.example.org"
SECRET = "b2" * 32
CLIENT_ID = "myositis-timeline-at-example"
ACCESS_TOKEN = "clinician-token-0123456789"
FOUND = scenario("statin-and-hmgcr")
PATIENT = FOUND.request["context"]["patientId"]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    trusted = tmp_path / "trusted-clients.json"
    key = ECKey.generate_key("P-384", parameters={"kid": "ehr-1"})
    trusted.write_text(
        json.dumps(
            {
                "clients": [
                    {
                        "iss": "https://ehr.example.org",
                        "jwks": public_jwks(key),
                        "fhir_servers": [EHR_FHIR],
                        "smart_client_id": CLIENT_ID,
                    }
                ]
            }
        )
    )
    settings = Settings.model_validate(
        {
            "env": "prod",
            "trusted_clients": str(trusted),
            "public_base_url": BASE,
            "link_secret": SECRET,
            "smart_app": True,
            "database_url": f"sqlite:///{tmp_path / 'f.sqlite3'}",
            "cors_origins": [],
            "gc_tuning": False,
        }
    )
    with TestClient(create_app(settings), base_url=BASE, raise_server_exceptions=False) as c:
        yield c


def card_link(patient: str = PATIENT) -> str:
    made = TimelineLinks(decode_link_secret(SECRET), BASE).make(
        patient_id=patient,
        fhir_server=EHR_FHIR,
        finding_codes=["statin-and-hmgcr"],
        evaluated_on=date(2026, 11, 15),
    )
    assert made is not None
    return made.url


def mock_ehr(token_patient: str = PATIENT) -> dict[str, respx.Route]:
    respx.get(f"{EHR_FHIR}/.well-known/smart-configuration").respond(
        json={
            "authorization_endpoint": AUTHORIZE,
            "token_endpoint": TOKEN,
            "code_challenge_methods_supported": ["S256"],
            "capabilities": ["launch-standalone", "client-public"],
        }
    )
    token = respx.post(TOKEN).respond(
        json={
            "access_token": ACCESS_TOKEN,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "launch/patient patient/Observation.rs",
            "patient": token_patient,
        }
    )
    resources = [e["resource"] for e in FOUND.bundle["entry"]]

    def fhir(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return httpx.Response(401)
        path = request.url.path.removeprefix("/fhir/")
        if path == f"Patient/{PATIENT}":
            return httpx.Response(200, json=resources[0])
        kind = path.split("/")[0]
        entries = [{"resource": r} for r in resources if r["resourceType"] == kind]
        return httpx.Response(
            200, json={"resourceType": "Bundle", "type": "searchset", "entry": entries}
        )

    reads = respx.route(host="ehr.example.org", path__startswith="/fhir/").mock(side_effect=fhir)
    return {"token": token, "reads": reads}


def start(client: TestClient, url: str) -> tuple[str, dict[str, list[str]]]:
    """Open the card's link: it redirects to the standalone launch, which redirects to the
    EHR's authorization endpoint. The EHR's answer (the callback URL) is returned."""
    first = client.get(url, follow_redirects=False)
    assert first.status_code == 303
    assert "data-series" not in first.text  # the link alone shows nothing
    second = client.get(first.headers["location"], follow_redirects=False)
    assert second.status_code == 302, second.text
    authorize = second.headers["location"]
    assert authorize.startswith(AUTHORIZE + "?")
    query = parse_qs(urlsplit(authorize).query)
    return authorize, query


@respx.mock
def test_the_link_starts_authorization_and_the_page_comes_after_it(client: TestClient) -> None:
    routes = mock_ehr()
    _authorize, query = start(client, card_link())
    assert query["client_id"] == [CLIENT_ID]
    assert query["aud"] == [EHR_FHIR]
    assert query["redirect_uri"] == [f"{BASE}/smart/callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert "launch" not in query
    assert not routes["reads"].called  # nothing read before the authorization
    page = client.get(
        "/smart/callback",
        params={"code": "the-code", "state": query["state"][0]},
        follow_redirects=False,
    )
    assert page.status_code == 200, page.text
    assert 'data-series="ck"' in page.text
    assert ACCESS_TOKEN not in page.text
    token_request = parse_qs(routes["token"].calls.last.request.content.decode())
    assert token_request["grant_type"] == ["authorization_code"]
    assert token_request["client_id"] == [CLIENT_ID]
    assert len(token_request["code_verifier"][0]) >= 43
    assert routes["reads"].called


@respx.mock
def test_a_token_for_another_patient_shows_nothing(client: TestClient) -> None:
    routes = mock_ehr(token_patient="someone-else")
    _authorize, query = start(client, card_link())
    page = client.get("/smart/callback", params={"code": "c", "state": query["state"][0]})
    assert page.status_code == 403
    assert "Different patient" in page.text and "data-series" not in page.text
    assert not routes["reads"].called


@respx.mock
def test_a_link_to_a_server_no_trusted_client_lists_is_refused(client: TestClient) -> None:
    made = TimelineLinks(decode_link_secret(SECRET), BASE).make(
        patient_id=PATIENT,
        fhir_server="https://other.example.org/fhir",
        finding_codes=[],
        evaluated_on=date(2026, 11, 15),
    )
    assert made is not None
    first = client.get(made.url, follow_redirects=False)
    page = client.get(first.headers["location"], follow_redirects=False)
    assert page.status_code == 403
    assert "Not a trusted FHIR server" in page.text


def test_prod_without_link_secret_but_links_on_refuses_to_start(tmp_path: Path) -> None:
    values: dict[str, Any] = {
        "env": "prod",
        "trusted_clients": str(tmp_path / "none.json"),
        "public_base_url": BASE,
        "timeline_links": True,
    }
    with pytest.raises(ValueError, match="CDS_LINK_SECRET"):
        Settings.model_validate(values)
