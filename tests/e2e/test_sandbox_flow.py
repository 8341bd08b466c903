"""A client that behaves like the CDS Hooks Sandbox (the reference browser client) against a
real server: CORS preflight, discovery, then the service call, with and without prefetch."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer, live_server
from tests.scenario_files import scenario

PATIENT_VIEW = "myositis-refractory-patient-view"
SANDBOX_JWT = "eyJhbGciOiJFUzM4NCJ9.e30.c2ln"  # ignored: authentication is off in dev


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server() as running:
        yield running


def sandbox_call(server: LiveServer, body: dict[str, Any]) -> httpx.Response:
    url = f"{server.base_url}/cds-services/{PATIENT_VIEW}"
    with httpx.Client(timeout=10) as client:
        preflight = client.options(
            url,
            headers={
                "Origin": "https://sandbox.cds-hooks.org",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        discovery = client.get(
            f"{server.base_url}/cds-services",
            headers={"Authorization": f"Bearer {SANDBOX_JWT}"},
        )
        assert discovery.status_code == 200
        return client.post(
            url,
            json=body,
            headers={
                "Authorization": f"Bearer {SANDBOX_JWT}",
                "Origin": "https://sandbox.cds-hooks.org",
            },
        )


def findings(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(card["source"]["topic"]["code"] for card in response.json()["cards"])


def test_statin_card_with_full_prefetch(server: LiveServer) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["fhirServer"] = f"{server.base_url}/fhir"
    response = sandbox_call(server, body)
    assert "statin-and-hmgcr" in findings(response)
    card = next(
        c for c in response.json()["cards"] if c["source"]["topic"]["code"] == "statin-and-hmgcr"
    )
    assert card["indicator"] == "critical"
    assert "| Evidence |" in card["detail"]
    actions = card["suggestions"][0]["actions"]
    assert actions == [
        {
            "type": "delete",
            "description": "Remove or discontinue MedicationRequest/syn-hmgcr-statin-atorva-1",
            "resourceId": "MedicationRequest/syn-hmgcr-statin-atorva-1",
        }
    ]


def test_statin_card_with_no_prefetch_reads_the_embedded_fhir_endpoint(server: LiveServer) -> None:
    full = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body = {k: v for k, v in full.items() if k != "prefetch"}
    body["fhirServer"] = f"{server.base_url}/fhir"
    with_prefetch = copy.deepcopy(full)
    with_prefetch["fhirServer"] = f"{server.base_url}/fhir"
    fetched = sandbox_call(server, body)
    given = sandbox_call(server, with_prefetch)
    assert "statin-and-hmgcr" in findings(fetched)
    assert without_links(fetched.json()) == without_links(given.json())


def without_links(response: dict[str, Any]) -> list[dict[str, Any]]:
    """Cards without their links (each link carries a fresh, encrypted, short-lived ref)."""
    return [{k: v for k, v in card.items() if k != "links"} for card in response["cards"]]


def test_the_quiet_patient_gets_no_cards(server: LiveServer) -> None:
    body = copy.deepcopy(scenario("no-findings-early-responder").request)
    body["fhirServer"] = f"{server.base_url}/fhir"
    response = sandbox_call(server, body)
    assert response.status_code == 200
    assert response.json() == {"cards": []}


def test_discovery_lists_the_three_contract_services(server: LiveServer) -> None:
    services = httpx.get(f"{server.base_url}/cds-services").json()["services"]
    assert {(s["id"], s["hook"]) for s in services} == {
        ("myositis-refractory-patient-view", "patient-view"),
        ("myositis-order-select", "order-select"),
        ("myositis-order-sign", "order-sign"),
    }
    for service in services:
        assert service["description"] and service["title"] and service["usageRequirements"]
        for query in service["prefetch"].values():
            assert "sort:desc" not in query
            assert "{{context.patientId}}" in query
