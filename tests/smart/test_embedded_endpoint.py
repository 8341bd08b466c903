"""What the CDS Hooks reference client needs of the embedded FHIR endpoint, and its tokens.

Through a real server: the patient list (paged searchset), search by POST with form
parameters, the CapabilityStatement with its SMART endpoints, and reads limited to the
patient of a token the endpoint issued (or refused without one, when tokens are required).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from cds_service.fhir.dev_smart_server import launch_value
from tests.live_server import LiveServer, live_server
from tests.scenario_files import load_scenarios

PATIENTS = sorted({s.request["context"]["patientId"] for s in load_scenarios()})
ONE, OTHER = PATIENTS[0], PATIENTS[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("embedded")
    with live_server(database_url=f"sqlite:///{folder / 'f.sqlite3'}", var_dir=folder) as running:
        yield running


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("strict")
    with live_server(
        database_url=f"sqlite:///{folder / 'f.sqlite3'}",
        var_dir=folder,
        dev_fhir_require_tokens=True,
    ) as running:
        yield running


def ids(bundle: dict[str, Any]) -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", [])]


def test_the_patient_list_is_a_paged_searchset(server: LiveServer) -> None:
    first = httpx.get(f"{server.base_url}/fhir/Patient", params={"_count": 10}).json()
    assert first["resourceType"] == "Bundle" and first["type"] == "searchset"
    assert first["total"] == len(PATIENTS)
    seen = ids(first)
    assert len(seen) == 10
    link = next(x["url"] for x in first["link"] if x["relation"] == "next")
    for _ in range(10):  # follow next links to the end (bounded)
        page = httpx.get(link).json()
        seen += ids(page)
        nexts = [x["url"] for x in page["link"] if x["relation"] == "next"]
        if not nexts:
            break
        link = nexts[0]
    assert seen == PATIENTS
    picked = httpx.get(f"{server.base_url}/fhir/Patient", params={"_id": f"{ONE},{OTHER}"})
    assert ids(picked.json()) == [ONE, OTHER]


def test_search_by_post_with_a_form_answers_like_get(server: LiveServer) -> None:
    url = f"{server.base_url}/fhir/Observation"
    by_get = httpx.get(url, params={"patient": ONE}).json()
    by_post = httpx.post(f"{url}/_search", data={"patient": ONE, "_count": "50"})
    assert by_post.status_code == 200
    assert ids(by_post.json()) == ids(by_get) and ids(by_get)
    patients = httpx.post(f"{server.base_url}/fhir/Patient/_search", data={"_count": "5"})
    assert patients.json()["total"] == len(PATIENTS)
    as_json = httpx.post(f"{url}/_search", json={"patient": ONE})
    assert as_json.status_code == 415


def test_bad_paging_is_a_clear_400(server: LiveServer) -> None:
    response = httpx.get(f"{server.base_url}/fhir/Patient", params={"_count": "many"})
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_metadata_declares_the_resources_and_the_smart_endpoints(server: LiveServer) -> None:
    statement = httpx.get(f"{server.base_url}/fhir/metadata").json()
    assert statement["resourceType"] == "CapabilityStatement"
    rest = statement["rest"][0]
    assert {"Patient", "Observation", "Condition"} <= {r["type"] for r in rest["resource"]}
    security = rest["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    uris = {e["url"]: e["valueUri"] for e in security["extension"][0]["extension"]}
    configuration = httpx.get(f"{server.base_url}/fhir/.well-known/smart-configuration").json()
    assert uris == {
        "authorize": configuration["authorization_endpoint"],
        "token": configuration["token_endpoint"],
    }
    assert configuration["code_challenge_methods_supported"] == ["S256"]
    assert "launch-ehr" in configuration["capabilities"]


def token_for(server: LiveServer, patient: str) -> str:
    """The whole authorization code flow with PKCE, done by hand as an app would."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect = f"{server.base_url}/elsewhere/callback"
    answer = httpx.get(
        f"{server.base_url}/fhir/auth/authorize",
        params={
            "response_type": "code",
            "client_id": "test-app",
            "redirect_uri": redirect,
            "scope": "launch patient/Observation.rs",
            "state": "s-1",
            "aud": f"{server.base_url}/fhir",
            "launch": launch_value(patient),
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256",
        },
    )
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == ["s-1"]
    form = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "client_id": "test-app",
        "redirect_uri": redirect,
    }
    wrong = httpx.post(
        f"{server.base_url}/fhir/auth/token", data={**form, "code_verifier": "x" * 43}
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    granted = httpx.post(
        f"{server.base_url}/fhir/auth/token", data={**form, "code_verifier": verifier}
    )
    assert granted.status_code == 200
    body = granted.json()
    assert body["patient"] == patient and body["token_type"] == "Bearer"
    token: str = body["access_token"]
    return token


def test_a_token_sees_its_patient_only(strict: LiveServer) -> None:
    token = token_for(strict, ONE)
    bearer = {"Authorization": f"Bearer {token}"}
    fhir = f"{strict.base_url}/fhir"
    assert httpx.get(f"{fhir}/Patient/{ONE}", headers=bearer).status_code == 200
    assert httpx.get(f"{fhir}/Patient/{OTHER}", headers=bearer).status_code == 404
    mine = httpx.get(f"{fhir}/Observation", params={"patient": ONE}, headers=bearer).json()
    theirs = httpx.get(f"{fhir}/Observation", params={"patient": OTHER}, headers=bearer).json()
    assert ids(mine) and ids(theirs) == []
    assert ids(httpx.get(f"{fhir}/Patient", headers=bearer).json()) == [ONE]


def test_tokens_required_refuses_reads_without_or_with_a_foreign_token(strict: LiveServer) -> None:
    fhir = f"{strict.base_url}/fhir"
    assert httpx.get(f"{fhir}/Patient/{ONE}").status_code == 401
    forged = {"Authorization": "Bearer not-a-token-it-issued"}
    assert httpx.get(f"{fhir}/Patient/{ONE}", headers=forged).status_code == 401
    assert httpx.get(f"{fhir}/metadata").status_code == 200  # discovery stays open


def test_without_the_setting_a_read_without_a_token_is_answered(server: LiveServer) -> None:
    assert httpx.get(f"{server.base_url}/fhir/Patient/{ONE}").status_code == 200


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"aud": "https://elsewhere.example.org/fhir"}, "invalid_request"),
        ({"launch": launch_value("no-such-patient")}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_the_dev_server_still_refuses_malformed_requests(
    server: LiveServer, change: dict[str, str], error: str
) -> None:
    params = {
        "response_type": "code",
        "client_id": "test-app",
        "redirect_uri": f"{server.base_url}/cb",
        "state": "s",
        "aud": f"{server.base_url}/fhir",
        "launch": launch_value(ONE),
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
        **change,
    }
    answer = httpx.get(f"{server.base_url}/fhir/auth/authorize", params=params)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == [error]
    elsewhere = httpx.get(
        f"{server.base_url}/fhir/auth/authorize",
        params={**params, "redirect_uri": "http://evil.example.org/cb"},
    )
    assert elsewhere.status_code == 400  # never redirected to a foreign http address
