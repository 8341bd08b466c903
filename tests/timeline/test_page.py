"""``GET /timeline/{ref}`` through a real server, opened from a real card's link."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from cds_service.cdshooks.models import Card
from cds_service.cdshooks.timeline_link import TimelineLinks
from cds_service.settings import decode_link_secret
from tests.live_server import LiveServer, live_server
from tests.scenario_files import scenario

PATIENT_VIEW = "myositis-refractory-patient-view"
SECRET = "a1" * 32
LAUNCH = "https://apps.example.org/myositis/launch"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("timeline") / "feedback.sqlite3"
    with live_server(link_secret=SECRET, database_url=f"sqlite:///{db}") as running:
        yield running


def call(server: LiveServer, name: str, fhir_server: str | None) -> list[dict[str, Any]]:
    body = copy.deepcopy(scenario(name).request)
    if fhir_server is None:
        body.pop("fhirServer", None)
    else:
        body["fhirServer"] = fhir_server
    response = httpx.post(f"{server.base_url}/cds-services/{PATIENT_VIEW}", json=body)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def links_of(server: LiveServer) -> TimelineLinks:
    return TimelineLinks(decode_link_secret(SECRET), server.base_url, embedded_fallback=True)


def test_every_card_links_to_the_same_timeline(server: LiveServer) -> None:
    cards = call(server, "statin-and-hmgcr", f"{server.base_url}/fhir")
    assert len(cards) >= 2
    urls = {card["links"][0]["url"] for card in cards}
    assert len(urls) == 1  # one encryption per call
    (url,) = urls
    assert url.startswith(f"{server.base_url}/timeline/")
    for card in cards:  # development mode: the SMART app is on, so a smart link rides along
        assert card["links"] == [
            {"label": "Disease course timeline", "url": url, "type": "absolute"},
            {
                "label": "Disease course timeline (SMART app)",
                "url": f"{server.base_url}/smart/launch",
                "type": "smart",
                "appContext": url.rsplit("/", 1)[1],
            },
        ]
    patient_id = scenario("statin-and-hmgcr").request["context"]["patientId"]
    assert patient_id not in url


def test_the_page_draws_the_patients_course(server: LiveServer) -> None:
    cards = call(server, "statin-and-hmgcr", f"{server.base_url}/fhir")
    page = httpx.get(cards[0]["links"][0]["url"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    html = page.text
    for marker in (
        'data-series="ck"',
        'data-series="ldh"',
        'data-series="mmt8-80"',
        'data-uln="1"',
        'data-mri="edema"',
        'data-drug-class="statin"',
        'data-drug-class="glucocorticoid"',
        'class="cited"',
    ):
        assert marker in html, marker
    for card in cards:
        assert f'data-finding="{card["source"]["topic"]["code"]}"' in html


def test_a_card_from_full_prefetch_without_fhir_server_reads_the_embedded_fixtures(
    server: LiveServer,
) -> None:
    cards = call(server, "statin-and-hmgcr", None)
    page = httpx.get(cards[0]["links"][0]["url"])
    assert page.status_code == 200
    assert 'data-series="ck"' in page.text


def test_the_page_reads_another_loopback_fhir_server(server: LiveServer, tmp_path: Path) -> None:
    with live_server(database_url=f"sqlite:///{tmp_path / 'other.sqlite3'}") as other:
        cards = call(server, "statin-and-hmgcr", f"{other.base_url}/fhir")
        before = _fetches(server)
        page = httpx.get(cards[0]["links"][0]["url"])
        assert page.status_code == 200
        assert 'data-series="ck"' in page.text
        assert _fetches(server) > before  # read over HTTP, through FhirReader


def _fetches(server: LiveServer) -> float:
    total = 0.0
    for line in httpx.get(f"{server.base_url}/metrics").text.splitlines():
        if line.startswith("cds_fhir_fetches_total{") and 'outcome="ok"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_no_cards_no_links(server: LiveServer) -> None:
    assert call(server, "no-findings-early-responder", f"{server.base_url}/fhir") == []


@pytest.mark.parametrize("ref", ["x", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..a.b.c", "A" * 5000])
def test_invalid_reference_is_a_plain_404(server: LiveServer, ref: str) -> None:
    page = httpx.get(f"{server.base_url}/timeline/{ref}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "not valid or has expired" in page.text
    assert "Traceback" not in page.text and "JWE" not in page.text


def test_expired_reference_offers_a_fresh_launch(server: LiveServer) -> None:
    past = TimelineLinks(
        decode_link_secret(SECRET),
        server.base_url,
        clock=lambda: 1_000_000_000.0,
        embedded_fallback=True,
    )
    made = past.make(
        patient_id=scenario("statin-and-hmgcr").request["context"]["patientId"],
        fhir_server=None,
        finding_codes=["statin-and-hmgcr"],
        evaluated_on=date(2026, 11, 15),
    )
    assert made is not None
    page = httpx.get(made.url)
    assert page.status_code == 410
    assert "has expired" in page.text
    ref = made.url.rsplit("/", 1)[1]
    assert f'href="/smart/standalone/{ref}"' in page.text  # a fresh launch, not a bare 404
    assert "syn-" not in page.text  # no patient data
    fresh = links_of(server).make(
        patient_id=scenario("statin-and-hmgcr").request["context"]["patientId"],
        fhir_server=None,
        finding_codes=["statin-and-hmgcr"],
        evaluated_on=date(2026, 11, 15),
    )
    assert fresh is not None
    assert httpx.get(fresh.url).status_code == 200


def test_a_server_outside_the_policy_is_not_read(server: LiveServer) -> None:
    made = links_of(server).make(
        patient_id="anyone",
        fhir_server="http://fhir.example.org/fhir",
        finding_codes=[],
        evaluated_on=date(2026, 11, 15),
    )
    assert made is not None
    before = httpx.get(f"{server.base_url}/metrics").text.count("fhir_fetches")
    page = httpx.get(made.url)
    assert page.status_code == 503
    assert "cannot be read" in page.text
    assert "example.org" not in page.text
    assert httpx.get(f"{server.base_url}/metrics").text.count("fhir_fetches") == before


def test_an_unknown_patient_is_not_found(server: LiveServer) -> None:
    made = links_of(server).make(
        patient_id="nobody", fhir_server=None, finding_codes=[], evaluated_on=date(2026, 11, 15)
    )
    assert made is not None
    assert httpx.get(made.url).status_code == 404


def test_smart_link_when_a_launch_url_is_configured(tmp_path: Path) -> None:
    with live_server(
        smart_launch_url=LAUNCH, database_url=f"sqlite:///{tmp_path / 'f.sqlite3'}"
    ) as running:
        cards = call(running, "statin-and-hmgcr", f"{running.base_url}/fhir")
    for card in cards:
        absolute, smart = card["links"]
        assert absolute["type"] == "absolute" and "appContext" not in absolute
        assert smart == {
            "label": "Disease course timeline (SMART app)",
            "url": LAUNCH,
            "type": "smart",
            "appContext": absolute["url"].rsplit("/", 1)[1],
        }
        Card.model_validate(card)


def test_links_off_means_cards_without_links_and_no_page(tmp_path: Path) -> None:
    with live_server(
        timeline_links=False, database_url=f"sqlite:///{tmp_path / 'f.sqlite3'}"
    ) as running:
        cards = call(running, "statin-and-hmgcr", f"{running.base_url}/fhir")
        assert cards and all("links" not in card for card in cards)
        assert httpx.get(f"{running.base_url}/timeline/anything").status_code == 404
