"""A large chart (worked off the event loop) and a chart with unreadable records still give
the same findings, and unreadable records are said on the cards."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds_service.cdshooks.pipeline import OFFLOAD_ABOVE_RESOURCES
from tests.app_client import app_client
from tests.scenario_files import scenario

URL = "/cds-services/myositis-refractory-patient-view"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("large")) as c:
        yield c


def sodium(patient_id: str, index: int) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"na-{index}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2951-2"}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": "2026-10-01",
        "valueQuantity": {"value": 140, "unit": "mmol/L"},
    }


def codes(response_json: dict[str, Any]) -> list[str]:
    return sorted(c["source"]["topic"]["code"] for c in response_json["cards"])


def test_a_large_chart_gives_the_same_findings(client: TestClient) -> None:
    loaded = scenario("statin-and-hmgcr")
    body = copy.deepcopy(loaded.request)
    patient_id = body["context"]["patientId"]
    extra = [{"resource": sodium(patient_id, i)} for i in range(OFFLOAD_ABOVE_RESOURCES + 10)]
    body["prefetch"]["observations"]["entry"].extend(extra)
    response = client.post(URL, json=body)
    assert response.status_code == 200
    assert codes(response.json()) == loaded.expected["findings"]


def test_unreadable_records_are_said_once_on_every_card(client: TestClient) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    ck = copy.deepcopy(body["prefetch"]["observations"]["entry"][0]["resource"])
    ck["id"] = "ck-odd-unit"
    ck["valueQuantity"] = {"value": 3, "unit": "furlongs", "code": "[fur_us]"}
    body["prefetch"]["observations"]["entry"].append({"resource": ck})
    cards = client.post(URL, json=body).json()["cards"]
    assert cards
    count_line = "1 record could not be read or was ambiguous"
    for card in cards:
        if card["source"]["topic"]["code"] == "workup-incomplete":
            # It names the record itself: the count line would say it a second time.
            assert card["detail"].count("ck-odd-unit") == 1
            assert count_line not in card["detail"]
        else:
            assert count_line in card["detail"]
    assert "workup-incomplete" in codes({"cards": cards})  # the IIM patient gets that card
