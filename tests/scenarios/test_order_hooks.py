"""order-select and order-sign: every check in both hooks, re-firing, and bad selections."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cds_service.engine.findings import FindingCode
from tests.app_client import app_client
from tests.scenario_files import load_scenarios, scenario

ORDER_CODES = {c.value for c in FindingCode if c.value.startswith("order-")}
SELECT = "/cds-services/myositis-order-select"
SIGN = "/cds-services/myositis-order-sign"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("orders")) as c:
        yield c


def codes(response_json: dict[str, object]) -> list[str]:
    cards = response_json["cards"]
    assert isinstance(cards, list)
    return sorted(card["source"]["topic"]["code"] for card in cards)


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_every_order_finding_code_fires_in_both_hooks(hook: str) -> None:
    fired = {
        code
        for s in load_scenarios()
        if s.request["hook"] == hook
        for code in s.expected["findings"]
    }
    assert fired == ORDER_CODES


def test_each_card_names_its_draft_order(client: TestClient) -> None:
    loaded = scenario("order-statin-with-hmgcr-order-select")
    card = client.post(SELECT, json=loaded.request).json()["cards"][0]
    draft = "MedicationRequest/syn-hmgcr-active-draft-atorva"
    assert draft in card["detail"]
    assert card["suggestions"][0]["actions"] == [
        {"type": "delete", "description": f"Remove or discontinue {draft}", "resourceId": draft}
    ]


def test_card_uuids_are_unique_per_call_and_stable_for_the_same_hook_instance(
    client: TestClient,
) -> None:
    """Feedback must name the call that showed the card (docs/feedback.md): a re-firing (a new
    hookInstance) gives new uuids; the same hookInstance sent again gives the same ones."""
    body = copy.deepcopy(scenario("order-duplicate-calcineurin-inhibitor-order-select").request)
    first = client.post(SELECT, json=body).json()["cards"]
    resent = client.post(SELECT, json=body).json()["cards"]
    assert [c["uuid"] for c in resent] == [c["uuid"] for c in first]
    assert [s["uuid"] for c in resent for s in c.get("suggestions", [])] == [
        s["uuid"] for c in first for s in c.get("suggestions", [])
    ]
    body["hookInstance"] = str(uuid.uuid4())
    body["context"]["draftOrders"]["entry"].append(
        {
            "resource": {
                "resourceType": "ServiceRequest",
                "id": "new-lab",
                "status": "draft",
                "intent": "order",
                "subject": body["context"]["draftOrders"]["entry"][0]["resource"]["subject"],
            }
        }
    )
    second = client.post(SELECT, json=body).json()["cards"]
    assert [c["source"]["topic"]["code"] for c in second] == [
        c["source"]["topic"]["code"] for c in first
    ]
    assert not {c["uuid"] for c in first} & {c["uuid"] for c in second}
    first_suggestions = {s["uuid"] for c in first for s in c.get("suggestions", [])}
    assert first_suggestions
    assert not first_suggestions & {s["uuid"] for c in second for s in c.get("suggestions", [])}


def test_nothing_applies_gives_no_cards(client: TestClient) -> None:
    loaded = scenario("order-select-nothing-applies")
    assert client.post(SELECT, json=loaded.request).json() == {"cards": []}


def test_absent_selections_means_every_draft_is_checked(client: TestClient) -> None:
    body = copy.deepcopy(scenario("order-statin-with-hmgcr-order-select").request)
    del body["context"]["selections"]
    assert codes(client.post(SELECT, json=body).json()) == ["order-statin-with-hmgcr"]


def test_selections_naming_no_draft_order_are_refused(client: TestClient) -> None:
    body = copy.deepcopy(scenario("order-statin-with-hmgcr-order-select").request)
    body["context"]["selections"] = ["MedicationRequest/not-in-the-bundle"]
    response = client.post(SELECT, json=body)
    assert response.status_code == 422
    assert "selections" in response.text


def test_malformed_selections_are_refused(client: TestClient) -> None:
    body = copy.deepcopy(scenario("order-statin-with-hmgcr-order-select").request)
    body["context"]["selections"] = ["not a reference"]
    assert client.post(SELECT, json=body).status_code == 422


def test_order_sign_checks_resigned_orders_that_are_not_drafts(client: TestClient) -> None:
    body = copy.deepcopy(scenario("order-statin-with-hmgcr-order-sign").request)
    for entry in body["context"]["draftOrders"]["entry"]:
        entry["resource"]["status"] = "active"
    assert codes(client.post(SIGN, json=body).json()) == ["order-statin-with-hmgcr"]


def test_draft_orders_must_be_a_bundle(client: TestClient) -> None:
    body = copy.deepcopy(scenario("order-statin-with-hmgcr-order-sign").request)
    body["context"]["draftOrders"] = {"resourceType": "MedicationRequest"}
    assert client.post(SIGN, json=body).status_code == 422


@pytest.mark.parametrize("odd_id", ["csa:1", "csa 1", "csä"])
def test_an_odd_draft_id_never_costs_the_answer(client: TestClient, odd_id: str) -> None:
    body = copy.deepcopy(scenario("order-statin-with-hmgcr-order-sign").request)
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["id"] = odd_id
    response = client.post(SIGN, json=body)
    assert response.status_code == 200
    card = response.json()["cards"][0]
    assert card["source"]["topic"]["code"] == "order-statin-with-hmgcr"
    assert "suggestions" not in card  # no action can name that resource exactly


def test_empty_selections_are_refused(client: TestClient) -> None:
    body = copy.deepcopy(scenario("order-statin-with-hmgcr-order-select").request)
    body["context"]["selections"] = []
    assert client.post(SELECT, json=body).status_code == 422
