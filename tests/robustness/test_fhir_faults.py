"""Fault injection on the FHIR server behind a service call: a clear 412 or an honest,
degraded answer; never a 5xx, and the deadline holds."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient

from tests.app_client import app_client
from tests.scenario_files import scenario

FHIR = "http://127.0.0.1:59999/fhir"
SERVICE = "/cds-services/myositis-refractory-patient-view"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with app_client(tmp_path, fhir_timeout_seconds=0.5, fhir_max_pages=5, max_entries=500) as c:
        yield c


def request_missing(*keys: str) -> dict[str, Any]:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["fhirServer"] = FHIR
    for key in keys:
        del body["prefetch"][key]
    return body


def searchset(resources: list[dict[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    body["entry"] = [{"resource": r} for r in resources]
    if next_url:
        body["link"] = [{"relation": "next", "url": next_url}]
    return body


async def never_answers(_request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(30)
    return httpx.Response(200)


FAULTS: dict[str, Any] = {
    "timeout": {"side_effect": never_answers},
    "connection refused": {"side_effect": httpx.ConnectError("refused")},
    "HTTP 500": {"return_value": httpx.Response(500)},
    "HTTP 503": {"return_value": httpx.Response(503, text="maintenance")},
    "malformed JSON": {"return_value": httpx.Response(200, content=b'{"resourceType": "Bund')},
    "not a Bundle": {"return_value": httpx.Response(200, json={"resourceType": "Patient"})},
    "redirect to another host": {
        "return_value": httpx.Response(302, headers={"Location": "https://evil.example.com/x"})
    },
    "next link loops": {
        "return_value": httpx.Response(200, json=searchset([], f"{FHIR}/Condition?patient=x"))
    },
    "huge Bundle": {
        "return_value": httpx.Response(
            200,
            json=searchset([{"resourceType": "Condition", "id": str(i)} for i in range(2000)]),
        )
    },
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@respx.mock
def test_a_fault_on_a_required_key_is_412(client: TestClient, fault: str) -> None:
    evil = respx.route(host="evil.example.com")
    respx.get(url__startswith=f"{FHIR}/Condition").mock(**FAULTS[fault])
    started = time.monotonic()
    response = client.post(SERVICE, json=request_missing("conditions"))
    assert response.status_code == 412, response.text
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "'conditions'" in response.text
    assert time.monotonic() - started < 5
    assert not evil.called


@pytest.mark.parametrize("fault", sorted(FAULTS))
@respx.mock
def test_a_fault_on_an_optional_key_degrades_honestly(client: TestClient, fault: str) -> None:
    respx.get(url__startswith=f"{FHIR}/MedicationStatement").mock(**FAULTS[fault])
    response = client.post(SERVICE, json=request_missing("medicationStatements"))
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert cards, "the cards that could be computed are still given"
    for card in cards:
        assert "MedicationStatement not available" in card["detail"]


@respx.mock
def test_junk_bundle_entries_are_skipped_and_said(client: TestClient) -> None:
    junk = {"resourceType": "Bundle", "entry": [1, "x", {"resource": [1]}]}
    respx.get(url__startswith=f"{FHIR}/Condition").respond(json=junk)
    response = client.post(SERVICE, json=request_missing("conditions"))
    assert response.status_code == 200
    for card in response.json()["cards"]:
        assert "3 Bundle entries from the FHIR server could not be read" in card["detail"]


@respx.mock
def test_a_slow_server_does_not_hold_the_call_past_its_deadline(client: TestClient) -> None:
    respx.get(url__startswith=FHIR).mock(side_effect=never_answers)
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["fhirServer"] = FHIR
    del body["prefetch"]
    started = time.monotonic()
    response = client.post(SERVICE, json=body)
    assert response.status_code == 412
    assert time.monotonic() - started < 3
