"""``GET /metrics``: requests by route template, cards, FHIR fetches, feedback; no patient data."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import LiveServer, live_server
from tests.scenario_files import scenario

PATIENT_VIEW = "myositis-refractory-patient-view"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("metrics") / "feedback.sqlite3"
    with live_server(database_url=f"sqlite:///{db}") as running:
        yield running


def sample(server: LiveServer, name: str, **labels: str) -> float:
    """The value of one sample (0 when absent), matched on the labels given."""
    text = httpx.get(f"{server.base_url}/metrics").text
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        series, value = line.rsplit(" ", 1)
        found = dict(re.findall(r'(\w+)="([^"]*)"', series[len(name) + 1 : -1]))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(value)
    return total


def call(server: LiveServer, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{server.base_url}/cds-services/{PATIENT_VIEW}", json=body, timeout=30)


def test_metrics_are_prometheus_text(server: LiveServer) -> None:
    response = httpx.get(f"{server.base_url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE cds_http_requests_total counter" in response.text
    assert "# TYPE cds_http_request_duration_seconds histogram" in response.text


def test_requests_count_by_route_template(server: LiveServer) -> None:
    route = "/cds-services/{service_id}"
    before = sample(server, "cds_http_requests_total", route=route, status="200")
    latency = sample(server, "cds_http_request_duration_seconds_count", route=route)
    assert call(server, scenario("statin-and-hmgcr").request).status_code == 200
    assert call(server, scenario("statin-and-hmgcr").request).status_code == 200
    assert sample(server, "cds_http_requests_total", route=route, status="200") == before + 2
    assert sample(server, "cds_http_request_duration_seconds_count", route=route) == latency + 2
    httpx.get(f"{server.base_url}/no/such/path/syn-secret-id")
    assert sample(server, "cds_http_requests_total", route="<unmatched>", status="404") >= 1


def test_cards_count_by_finding_and_indicator(server: LiveServer) -> None:
    labels = {"service": PATIENT_VIEW, "finding": "statin-and-hmgcr", "indicator": "critical"}
    before = sample(server, "cds_cards_total", **labels)
    assert call(server, scenario("statin-and-hmgcr").request).status_code == 200
    assert sample(server, "cds_cards_total", **labels) == before + 1


def test_fhir_fetches_and_failures(server: LiveServer) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    del body["prefetch"]
    body["fhirServer"] = f"{server.base_url}/fhir"
    ok = sample(server, "cds_fhir_fetches_total", resource_type="Observation", outcome="ok")
    assert call(server, body).status_code == 200
    assert sample(server, "cds_fhir_fetches_total", resource_type="Observation", outcome="ok") == (
        ok + 1
    )
    body["fhirServer"] = "http://127.0.0.1:9/fhir"  # nothing listens on the discard port
    failed = sample(server, "cds_fhir_fetches_total", resource_type="Observation", outcome="error")
    assert call(server, body).status_code == 412
    assert sample(
        server, "cds_fhir_fetches_total", resource_type="Observation", outcome="error"
    ) == (failed + 1)


def test_feedback_outcomes(server: LiveServer) -> None:
    before = sample(server, "cds_feedback_total", service=PATIENT_VIEW, outcome="overridden")
    feedback = {
        "feedback": [
            {
                "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
                "outcome": "overridden",
                "overrideReason": {"userComment": "not now"},
                "outcomeTimestamp": "2026-11-15T10:00:00Z",
            }
        ]
    }
    response = httpx.post(f"{server.base_url}/cds-services/{PATIENT_VIEW}/feedback", json=feedback)
    assert response.status_code == 200, response.text
    after = sample(server, "cds_feedback_total", service=PATIENT_VIEW, outcome="overridden")
    assert after == before + 1


def test_no_patient_data_in_any_label(server: LiveServer) -> None:
    found = scenario("statin-and-hmgcr")
    call(server, found.request)
    cards = call(server, {**found.request, "fhirServer": f"{server.base_url}/fhir"}).json()
    httpx.get(cards["cards"][0]["links"][0]["url"])
    text = httpx.get(f"{server.base_url}/metrics").text
    patient_id = found.request["context"]["patientId"]
    assert patient_id not in text
    assert "/timeline/{ref}" in text
    assert "eyJ" not in text  # no link reference
    assert "127.0.0.1" not in text  # no FHIR server URL


def test_multiprocess_mode_sums_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cds_service.api.routes.metrics import _registry

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    registry = _registry()
    assert registry is not __import__("prometheus_client").REGISTRY
