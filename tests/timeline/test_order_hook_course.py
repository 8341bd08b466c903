"""The timeline opened from an order-hook card rings what that card cited.

The page reads the course through ``CdsService.course``: the link carries the references the
call's findings cited, so a card issued at order-select or order-sign rings its results as a
patient-view card does (it used to re-run only the patient-view rules and ring nothing).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer, live_server
from tests.scenario_files import scenario

RING = re.compile(r'class="cited"[^>]*data-cited="([^"]+)"')  # rings and frames
EVIDENCE_ROW = re.compile(r"^\| (?P<label>[^|]+?) \|.*\| (?P<reference>\S+/\S+) \|$", re.M)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("order-course") / "feedback.sqlite3"
    with live_server(link_secret="b2" * 32, database_url=f"sqlite:///{db}") as running:
        yield running


def card_of(server: LiveServer, name: str, service_id: str) -> dict[str, Any]:
    body = copy.deepcopy(scenario(name).request)
    body["fhirServer"] = f"{server.base_url}/fhir"
    response = httpx.post(f"{server.base_url}/cds-services/{service_id}", json=body)
    assert response.status_code == 200, response.text
    (card,) = response.json()["cards"]
    return dict(card)


def cited_in_card(card: dict[str, Any]) -> dict[str, str]:
    """Evidence label -> FHIR reference, read from the card's evidence table."""
    return {m["label"]: m["reference"] for m in EVIDENCE_ROW.finditer(card["detail"])}


@pytest.mark.parametrize(
    ("name", "service_id"),
    [
        ("order-escalation-not-supported-ibm-order-select", "myositis-order-select"),
        ("order-escalation-not-supported-ibm-order-sign", "myositis-order-sign"),
    ],
)
def test_a_timeline_opened_from_an_order_hook_card_rings_the_cited_results(
    server: LiveServer, name: str, service_id: str
) -> None:
    card = card_of(server, name, service_id)
    assert card["source"]["topic"]["code"] == "order-escalation-not-supported"
    cited = cited_in_card(card)
    page = httpx.get(card["links"][0]["url"])
    assert page.status_code == 200
    ringed = set(RING.findall(page.text))
    # the drawn results the card cites (CK on the enzyme panel, MMT-8 on the strength panel)
    assert {cited["CK"], cited["MMT-8 \\(0-80\\)"]} <= ringed
    assert ringed <= set(cited.values())  # nothing the card did not cite
    # the draft order the card is about: a proposed bar on the therapy panel, ringed
    assert cited["Draft order"] in ringed
    draft = cited["Draft order"]
    assert (
        f'data-draft="true" data-drug-class="ivig" data-agent="ivig" data-ref="{draft}"'
        in page.text
    )
