"""Every item a card cites is ringed on its timeline page, or named there as not drawn.

For every fixture scenario of each hook (patient-view, order-select, order-sign) the card is
issued by a live server, its timeline link is opened, and the references of the card's
evidence table are counted against the page's rings (``data-cited``) and its list of cited
items it cannot draw (``data-undrawn``): none may be missing from both. In particular the
order-statin-with-hmgcr card (order-select and order-sign) finds its anti-HMGCR result and
its draft statin ringed, and the patient-view statin-and-hmgcr card its antibody and statin.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer, live_server
from tests.scenario_files import ScenarioFiles, load_scenarios, scenario

RING = re.compile(r'class="cited"[^>]*data-cited="([^"]+)"')
UNDRAWN = re.compile(r'data-undrawn="([^"]+)"')
EVIDENCE_ROW = re.compile(r"^\| (?P<label>[^|]+?) \|.*\| (?P<reference>\S+/\S+) \|$", re.M)
SERVICES = {
    "patient-view": "myositis-refractory-patient-view",
    "order-select": "myositis-order-select",
    "order-sign": "myositis-order-sign",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("cited-rings") / "feedback.sqlite3"
    with live_server(link_secret="d4" * 32, database_url=f"sqlite:///{db}") as running:
        yield running


def cards_of(server: LiveServer, found: ScenarioFiles) -> list[dict[str, Any]]:
    body = copy.deepcopy(found.request)
    body["fhirServer"] = f"{server.base_url}/fhir"
    response = httpx.post(f"{server.base_url}/cds-services/{found.expected['service']}", json=body)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def cited_by(card: dict[str, Any]) -> dict[str, str]:
    """FHIR reference -> evidence label, read from the card's evidence table."""
    return {m["reference"]: m["label"] for m in EVIDENCE_ROW.finditer(card["detail"])}


def page_of(card: dict[str, Any]) -> str:
    page = httpx.get(card["links"][0]["url"])
    assert page.status_code == 200
    return page.text


@pytest.mark.parametrize("hook", sorted(SERVICES))
def test_every_cited_item_is_ringed_or_named_on_the_page(server: LiveServer, hook: str) -> None:
    family = [s for s in load_scenarios() if s.expected["service"] == SERVICES[hook]]
    cited_total = ringed_total = 0
    silent: list[str] = []
    for found in family:
        cards = cards_of(server, found)
        if not cards:
            continue
        html = page_of(cards[0])  # one link per call: every card opens the same page
        ringed, undrawn = set(RING.findall(html)), set(UNDRAWN.findall(html))
        call_cites = {ref for card in cards for ref in cited_by(card)}
        assert ringed <= call_cites, found.name  # nothing the call did not cite
        assert not ringed & undrawn, found.name
        for card in cards:
            cited = set(cited_by(card))
            cited_total += len(cited)
            ringed_total += len(cited & ringed)
            silent += [f"{found.name}: {ref}" for ref in sorted(cited - ringed - undrawn)]
    assert family and cited_total > 0
    assert silent == []
    # What is named rather than ringed is the exception (the patient's age and sex).
    assert ringed_total >= 0.9 * cited_total, (ringed_total, cited_total)


@pytest.mark.parametrize(
    ("name", "service_id"),
    [
        ("order-statin-with-hmgcr-order-select", "myositis-order-select"),
        ("order-statin-with-hmgcr-order-sign", "myositis-order-sign"),
    ],
)
def test_the_statin_order_card_rings_its_antibody_and_its_draft_statin(
    server: LiveServer, name: str, service_id: str
) -> None:
    assert scenario(name).expected["service"] == service_id
    (card,) = cards_of(server, scenario(name))
    assert card["source"]["topic"]["code"] == "order-statin-with-hmgcr"
    cited = cited_by(card)
    html = page_of(card)
    ringed = RING.findall(html)
    assert sorted(ringed) == sorted(cited)  # both citations, each ringed once
    antibody = next(ref for ref, label in cited.items() if "HMGCR" in label)
    draft = next(ref for ref, label in cited.items() if label == "Draft order")
    # the antibody mark: anti-HMGCR, positive, in words as well as shape
    assert re.search(
        rf'<polygon[^>]*data-ref="{re.escape(antibody)}" data-antibody="hmgcr" '
        r'data-status="positive"',
        html,
    )
    assert "+ pos" in html
    # the draft statin: a proposed bar on the therapy panel, labelled draft
    assert re.search(
        rf'<rect class="draft-order"[^>]*data-draft="true" data-drug-class="statin" '
        rf'data-agent="atorvastatin" data-ref="{re.escape(draft)}"',
        html,
    )
    assert "Atorvastatin: draft order" in html
    assert "Statin (draft)" in html
    assert "data-undrawn" not in html  # nothing cited is left undrawn


def test_the_patient_view_statin_card_rings_its_antibody_and_the_statin(
    server: LiveServer,
) -> None:
    cards = cards_of(server, scenario("statin-and-hmgcr"))
    card = next(c for c in cards if c["source"]["topic"]["code"] == "statin-and-hmgcr")
    cited = cited_by(card)
    html = page_of(card)
    ringed = set(RING.findall(html))
    assert set(cited) <= ringed
    statin = next(ref for ref in cited if ref.startswith("Medication"))
    assert re.search(
        rf'<rect class="therapy"[^>]*data-drug-class="statin"[^>]*'
        rf'data-ref="{re.escape(statin)}"',
        html,
    )
    assert re.search(rf'<rect class="cited"[^>]*data-cited="{re.escape(statin)}"', html)
    assert 'class="draft-order"' not in html  # patient-view: no ordering session


def test_a_cited_patient_record_is_named_not_silently_left_out(server: LiveServer) -> None:
    (card,) = cards_of(server, scenario("suspect-ibm"))
    cited = cited_by(card)
    patient = next(ref for ref in cited if ref.startswith("Patient/"))
    html = page_of(card)
    assert UNDRAWN.findall(html) == [patient]
    assert "Cited by the cards but not drawn" in html
    assert "the patient&#x27;s record (age, sex)" in html
