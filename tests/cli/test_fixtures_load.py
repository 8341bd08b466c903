"""``myositis-cds fixtures load``: the compose loader's command, against the embedded endpoint.

The live server starts with an empty fixtures folder, so every resource the service reads
afterwards came in through the loader's transactions (``POST /fhir``).
"""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cds_service.fhir.fixture_store import as_transaction
from tests.live_server import LiveServer, live_server
from tests.scenario_files import SCENARIOS_DIR, load_scenarios, scenario

runner = CliRunner()
FIXTURES = SCENARIOS_DIR.parent
PATIENT_VIEW = "myositis-refractory-patient-view"


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[LiveServer]:
    (tmp_path / "fixtures" / "scenarios").mkdir(parents=True)
    with live_server(
        fixtures_dir=str(tmp_path / "fixtures"),
        database_url=f"sqlite:///{tmp_path / 'feedback.sqlite3'}",
    ) as running:
        yield running


def load(fhir: str, *extra: str) -> tuple[int, str]:
    from cds_service.cli import app

    result = runner.invoke(
        app,
        ["fixtures", "load", "--fhir", fhir, "--fixtures-dir", str(FIXTURES), *extra],
        env={"COLUMNS": "200", "CDS_TODAY": "2026-11-15"},  # the live server's day
    )
    return result.exit_code, result.output


def test_loads_every_scenario_into_the_embedded_endpoint(empty_server: LiveServer) -> None:
    fhir = f"{empty_server.base_url}/fhir"
    patient_id = scenario("statin-and-hmgcr").request["context"]["patientId"]
    assert httpx.get(f"{fhir}/Patient/{patient_id}").status_code == 404
    code, output = load(fhir, "--wait", "5")
    assert code == 0, output
    names = [s.name for s in load_scenarios()]
    for name in names:
        assert name in output
    assert f"{len(names)} scenario(s) loaded" in output
    assert output.count(" ok ") == len(names)
    assert httpx.get(f"{fhir}/Patient/{patient_id}").status_code == 200


def test_loaded_data_serves_a_call_without_prefetch(empty_server: LiveServer) -> None:
    fhir = f"{empty_server.base_url}/fhir"
    assert load(fhir)[0] == 0
    found = scenario("statin-and-hmgcr")
    body = copy.deepcopy(found.request)
    body["fhirServer"] = fhir
    del body["prefetch"]
    response = httpx.post(f"{empty_server.base_url}/cds-services/{PATIENT_VIEW}", json=body)
    assert response.status_code == 200, response.text
    with_prefetch = copy.deepcopy(found.request)
    with_prefetch.pop("fhirServer")
    expected = httpx.post(
        f"{empty_server.base_url}/cds-services/{PATIENT_VIEW}", json=with_prefetch
    )
    codes = [c["source"]["topic"]["code"] for c in response.json()["cards"]]
    assert codes == [c["source"]["topic"]["code"] for c in expected.json()["cards"]]
    assert "statin-and-hmgcr" in codes


def test_loading_twice_replaces_and_does_not_duplicate(empty_server: LiveServer) -> None:
    fhir = f"{empty_server.base_url}/fhir"
    found = scenario("statin-and-hmgcr")
    patient_id = found.request["context"]["patientId"]
    assert load(fhir)[0] == 0
    first = httpx.get(f"{fhir}/Observation", params={"patient": patient_id}).json()["total"]
    assert load(fhir)[0] == 0
    second = httpx.get(f"{fhir}/Observation", params={"patient": patient_id}).json()["total"]
    assert first == second > 0


def test_transaction_response_says_created_then_ok(empty_server: LiveServer) -> None:
    transaction = as_transaction(scenario("statin-and-hmgcr").bundle)
    url = f"{empty_server.base_url}/fhir"
    first = httpx.post(url, json=transaction).json()
    assert first["resourceType"] == "Bundle"
    assert first["type"] == "transaction-response"
    assert {e["response"]["status"] for e in first["entry"]} == {"201 Created"}
    assert len(first["entry"]) == len(transaction["entry"])
    second = httpx.post(url, json=transaction).json()
    assert {e["response"]["status"] for e in second["entry"]} == {"200 OK"}


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.update(type="batch"),
        lambda t: t["entry"][0]["request"].update(method="POST"),
        lambda t: t["entry"][0]["request"].update(url="Patient/someone-else"),
        lambda t: t["entry"][0].pop("resource"),
    ],
    ids=["not-a-transaction", "not-put", "url-mismatch", "no-resource"],
)
def test_transactions_the_overlay_does_not_take_are_refused(
    empty_server: LiveServer, change: object
) -> None:
    transaction = as_transaction(scenario("statin-and-hmgcr").bundle)
    change(transaction)  # type: ignore[operator]
    response = httpx.post(f"{empty_server.base_url}/fhir", json=transaction)
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
    patient_id = scenario("statin-and-hmgcr").request["context"]["patientId"]
    assert httpx.get(f"{empty_server.base_url}/fhir/Patient/{patient_id}").status_code == 404


@pytest.mark.slow
def test_gives_up_when_the_server_never_answers() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, output = load(f"http://127.0.0.1:{port}/fhir", "--wait", "1")
    assert code == 1
    assert "did not answer within 1 s" in output


def test_reports_scenarios_the_server_refuses(tmp_path: Path) -> None:
    with live_server(
        database_url=f"sqlite:///{tmp_path / 'f.sqlite3'}", max_body_bytes=1024
    ) as running:
        code, output = load(f"{running.base_url}/fhir")
    assert code == 1
    assert "failed: HTTP 413" in output
    assert f"{len(load_scenarios())} of {len(load_scenarios())} scenario(s) failed" in output
