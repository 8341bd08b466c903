"""The FHIR reader: token only to its server, no redirects, bounded paging, clear failures."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import respx

from cds_service.fhir.client import FetchLimits, FhirFetchError, FhirReader

BASE = "https://ehr.example.org/fhir"


def bundle(resources: list[dict[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }
    if next_url:
        body["link"] = [{"relation": "next", "url": next_url}]
    return body


def reader(**limits: Any) -> FhirReader:
    return FhirReader(BASE, access_token="secret-token", limits=FetchLimits(**limits))


async def _search(query: str, **limits: Any) -> list[dict[str, Any]]:
    async with reader(**limits) as r:
        return await r.search(query)


@respx.mock
def test_search_follows_next_and_sends_the_bearer_token() -> None:
    first = respx.get(f"{BASE}/Condition?patient=p1").respond(
        json=bundle([{"resourceType": "Condition", "id": "a"}], f"{BASE}/Condition?page=2")
    )
    second = respx.get(f"{BASE}/Condition?page=2").respond(
        json=bundle([{"resourceType": "Condition", "id": "b"}])
    )
    found = asyncio.run(_search("Condition?patient=p1"))
    assert [r["id"] for r in found] == ["a", "b"]
    assert first.calls.last.request.headers["Authorization"] == "Bearer secret-token"
    assert second.calls.last.request.headers["Authorization"] == "Bearer secret-token"


@respx.mock
def test_next_link_to_another_host_is_refused_and_never_called() -> None:
    respx.get(f"{BASE}/Condition?patient=p1").respond(
        json=bundle([], "https://evil.example.com/fhir/Condition?page=2")
    )
    evil = respx.get("https://evil.example.com/fhir/Condition?page=2").respond(json=bundle([]))
    with pytest.raises(FhirFetchError, match="leaves the FHIR server"):
        asyncio.run(_search("Condition?patient=p1"))
    assert not evil.called


@respx.mock
def test_a_next_link_that_loops_is_stopped() -> None:
    respx.get(f"{BASE}/Observation?patient=p1").respond(
        json=bundle([], f"{BASE}/Observation?patient=p1")
    )
    with pytest.raises(FhirFetchError, match="already read"):
        asyncio.run(_search("Observation?patient=p1"))


@respx.mock
def test_pages_are_bounded() -> None:
    for page in range(5):
        respx.get(f"{BASE}/Observation?page={page}").respond(
            json=bundle([], f"{BASE}/Observation?page={page + 1}")
        )
    with pytest.raises(FhirFetchError, match="more than 3 pages"):
        asyncio.run(_search("Observation?page=0", max_pages=3))


@respx.mock
def test_resources_are_bounded() -> None:
    many = [{"resourceType": "Observation", "id": str(i)} for i in range(50)]
    respx.get(f"{BASE}/Observation?patient=p1").respond(json=bundle(many))
    with pytest.raises(FhirFetchError, match="more than 10 resources"):
        asyncio.run(_search("Observation?patient=p1", max_resources=10))


@respx.mock
def test_redirects_are_not_followed() -> None:
    respx.get(f"{BASE}/Patient/p1").respond(
        status_code=302, headers={"Location": "https://evil.example.com/Patient/p1"}
    )
    evil = respx.get("https://evil.example.com/Patient/p1").respond(json={})

    async def go() -> object:
        async with reader() as r:
            return await r.read("Patient/p1")

    with pytest.raises(FhirFetchError, match="redirect"):
        asyncio.run(go())
    assert not evil.called


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(500), "HTTP 500"),
        (httpx.Response(200, content=b"{not json"), "malformed JSON"),
        (httpx.Response(200, json=[1, 2]), "not an object"),
        (httpx.Response(200, json={"resourceType": "Patient"}), "not answer with a Bundle"),
    ],
)
@respx.mock
def test_bad_answers_become_fetch_errors(response: httpx.Response, message: str) -> None:
    respx.get(f"{BASE}/Condition?patient=p1").mock(return_value=response)
    with pytest.raises(FhirFetchError, match=message):
        asyncio.run(_search("Condition?patient=p1"))


@respx.mock
def test_timeouts_and_connection_errors_are_fetch_errors() -> None:
    respx.get(f"{BASE}/Condition?patient=p1").mock(side_effect=httpx.ReadTimeout("slow"))
    respx.get(f"{BASE}/Condition?patient=p2").mock(side_effect=httpx.ConnectError("down"))
    with pytest.raises(FhirFetchError, match="in time"):
        asyncio.run(_search("Condition?patient=p1"))
    with pytest.raises(FhirFetchError, match="could not be reached"):
        asyncio.run(_search("Condition?patient=p2"))


@respx.mock
def test_read_of_a_missing_resource_is_none() -> None:
    respx.get(f"{BASE}/Patient/gone").respond(status_code=404)

    async def go() -> object:
        async with reader() as r:
            return await r.read("Patient/gone")

    assert asyncio.run(go()) is None


def test_absolute_urls_are_never_fetched() -> None:
    with pytest.raises(FhirFetchError, match="only relative"):
        asyncio.run(_search("https://evil.example.com/fhir/Condition"))


@respx.mock
def test_search_outcome_entries_are_left_out() -> None:
    body = bundle([{"resourceType": "Condition", "id": "a"}])
    body["entry"].append(
        {"resource": {"resourceType": "OperationOutcome"}, "search": {"mode": "outcome"}}
    )
    respx.get(f"{BASE}/Condition?patient=p1").respond(json=body)
    assert [r["resourceType"] for r in asyncio.run(_search("Condition?patient=p1"))] == [
        "Condition"
    ]


@respx.mock
def test_hapi_style_next_links_on_the_base_url_are_followed() -> None:
    respx.get(f"{BASE}/Observation?patient=p1").respond(
        json=bundle([{"resourceType": "Observation", "id": "a"}], f"{BASE}?_getpages=xyz")
    )
    respx.get(f"{BASE}?_getpages=xyz").respond(
        json=bundle([{"resourceType": "Observation", "id": "b"}])
    )
    assert [r["id"] for r in asyncio.run(_search("Observation?patient=p1"))] == ["a", "b"]


@pytest.mark.parametrize(
    "link",
    [
        "https://ehr.example.org/fhir/../admin/secret",
        "https://ehr.example.org/fhir/%2e%2e/admin",
        "https://ehr.example.org/fhir-evil/Observation",
        "https://user@ehr.example.org/fhir/Observation",
        "http://ehr.example.org/fhir/Observation",
    ],
)
@respx.mock
def test_next_links_that_climb_or_change_origin_are_refused(link: str) -> None:
    respx.get(f"{BASE}/Observation?patient=p1").respond(json=bundle([], link))
    elsewhere = respx.route(path__regex=r"^/(admin|fhir-evil).*")
    with pytest.raises(FhirFetchError, match="leaves the FHIR server"):
        asyncio.run(_search("Observation?patient=p1"))
    assert not elsewhere.called


@respx.mock
def test_a_read_that_answers_another_resource_is_refused() -> None:
    respx.get(f"{BASE}/Patient/p1").respond(
        json={"resourceType": "CapabilityStatement", "id": "p1"}
    )

    async def go() -> object:
        async with reader() as r:
            return await r.read("Patient/p1")

    with pytest.raises(FhirFetchError, match="answered another resource"):
        asyncio.run(go())


@respx.mock
def test_oversized_answers_are_refused() -> None:
    huge = bundle([{"resourceType": "Observation", "id": "x" * 100}] * 50)
    respx.get(f"{BASE}/Observation?patient=p1").respond(json=huge)
    with pytest.raises(FhirFetchError, match="more than 1000 bytes"):
        asyncio.run(_search("Observation?patient=p1", max_response_bytes=1000))
