"""Bad input gets a clear 4xx with an OperationOutcome body: never a 500, never a trace."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.app_client import app_client
from tests.scenario_files import scenario

URL = "/cds-services/myositis-refractory-patient-view"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return app_client(tmp_path, max_body_bytes=200_000, max_json_depth=40)


def assert_outcome(response_json: dict[str, object]) -> str:
    assert response_json["resourceType"] == "OperationOutcome"
    issues = response_json["issue"]
    assert isinstance(issues, list) and issues
    text = json.dumps(issues)
    assert "Traceback" not in text and 'File "' not in text
    return text


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        URL, content=b'{"hook": "patient-view",', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "malformed JSON" in assert_outcome(response.json())


def test_a_json_array_body_is_400(client: TestClient) -> None:
    response = client.post(URL, json=[1, 2, 3])
    assert response.status_code == 400


def test_unknown_service_is_404(client: TestClient) -> None:
    response = client.post("/cds-services/no-such-service", json={})
    assert response.status_code == 404
    assert "no-such-service" in assert_outcome(response.json())


def test_wrong_shape_is_422_naming_the_field_not_the_value(client: TestClient) -> None:
    body = {
        "hook": "patient-view",
        "hookInstance": "not-a-uuid",
        "context": {"patientId": "SECRET-ID-123"},
    }
    response = client.post(URL, json=body)
    assert response.status_code == 422
    text = assert_outcome(response.json())
    assert "hookInstance" in text
    assert "SECRET-ID-123" not in text and "not-a-uuid" not in text


def test_hook_mismatch_is_400(client: TestClient) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["hook"] = "order-sign"
    response = client.post(URL, json=body)
    assert response.status_code == 400
    assert "patient-view" in assert_outcome(response.json())


def test_oversized_body_is_413(client: TestClient) -> None:
    body = {"hook": "patient-view", "padding": "x" * 300_000}
    response = client.post(URL, json=body)
    assert response.status_code == 413
    assert_outcome(response.json())


def test_deeply_nested_json_is_400(client: TestClient) -> None:
    nested: object = 1
    for _ in range(60):
        nested = {"a": nested}
    response = client.post(URL, json={"hook": "patient-view", "extension": nested})
    assert response.status_code == 400
    assert "nested deeper" in assert_outcome(response.json())


def test_missing_required_prefetch_without_fhir_server_is_412(client: TestClient) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    del body["fhirServer"]
    del body["prefetch"]["observations"]
    response = client.post(URL, json=body)
    assert response.status_code == 412
    assert "observations" in assert_outcome(response.json())


def test_a_fhir_server_that_is_not_trusted_is_not_called(client: TestClient) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["fhirServer"] = "https://untrusted.example.com/fhir"
    del body["prefetch"]["conditions"]
    response = client.post(URL, json=body)
    assert response.status_code == 412


def test_unknown_keys_and_extensions_are_accepted(client: TestClient) -> None:
    body = copy.deepcopy(scenario("no-findings-early-responder").request)
    body["somethingNew"] = {"x": 1}
    body["extension"] = {"org.example.flag": True}
    body["context"]["futureField"] = "ok"
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text


def test_wrong_method_is_an_outcome_not_a_trace(client: TestClient) -> None:
    response = client.put(URL, json={})
    assert response.status_code == 405
    assert_outcome(response.json())


def test_a_prefetch_with_too_many_entries_is_413(tmp_path: Path) -> None:
    client = app_client(tmp_path, max_entries=10)
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    observation = body["prefetch"]["observations"]["entry"][0]
    body["prefetch"]["observations"]["entry"] = [observation] * 11
    response = client.post(URL, json=body)
    assert response.status_code == 413
    assert "more than 10 entries" in assert_outcome(response.json())


def test_prefetch_of_another_patient_is_refused(client: TestClient) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["context"]["patientId"] = "someone-else"
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert "not the patient in context" in assert_outcome(response.json())


def test_a_token_for_another_patient_is_refused(client: TestClient) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["fhirAuthorization"] = {
        "access_token": "t",
        "token_type": "Bearer",
        "expires_in": 60,
        "scope": "patient/*.read",
        "subject": "myositis-cds",
        "patient": "another-patient",
    }
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert "fhirAuthorization.patient" in assert_outcome(response.json())


@pytest.mark.parametrize("patient_id", [".", "..", "..."])
def test_dot_patient_ids_are_refused(client: TestClient, patient_id: str) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["context"]["patientId"] = patient_id
    assert client.post(URL, json=body).status_code == 422
