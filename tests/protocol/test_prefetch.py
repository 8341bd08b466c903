"""The prefetch decision table (docs/conformance.md §1.4), branch by branch."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import respx

from cds_service.cdshooks.prefetch import (
    PrefetchUnavailable,
    ReaderFactory,
    ResolvedData,
    WrongPatient,
    render_query,
    resolve_prefetch,
)
from cds_service.cdshooks.registry import PATIENT_HISTORY, PrefetchTemplate
from cds_service.fhir.client import FetchLimits, FhirReader

BASE = "https://ehr.example.org/fhir"
CONTEXT = {"patientId": "p1", "userId": "Practitioner/u1"}
PATIENT = {"resourceType": "Patient", "id": "p1"}


def searchset(*resources: dict[str, Any], next_url: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }
    if next_url:
        body["link"] = [{"relation": "next", "url": next_url}]
    return body


def full_prefetch() -> dict[str, Any]:
    return {
        "patient": PATIENT,
        "conditions": searchset({"resourceType": "Condition", "id": "c1"}),
        "observations": searchset(),
        "medicationRequests": searchset(),
        "medicationStatements": searchset(),
        "medicationAdministrations": searchset(),
    }


def factory(timeout: float = 2.0) -> ReaderFactory:
    return lambda: FhirReader(BASE, access_token="tok", limits=FetchLimits(timeout_seconds=timeout))


def resolve(
    prefetch: dict[str, Any] | None,
    readers: ReaderFactory | None = None,
    templates: tuple[PrefetchTemplate, ...] = PATIENT_HISTORY,
    deadline: float = 2.0,
) -> ResolvedData:
    return asyncio.run(resolve_prefetch(templates, prefetch, CONTEXT, readers, deadline))


def test_templates_render_only_2_0_1_tokens_and_restricted_syntax() -> None:
    for template in PATIENT_HISTORY:
        rendered = render_query(template.query, CONTEXT)
        assert rendered is not None and "{{" not in rendered
        assert "sort:desc" not in template.query
    assert render_query("Patient/{{context.patientId}}", CONTEXT) == "Patient/p1"
    assert render_query("Practitioner/{{userPractitionerId}}", CONTEXT) == "Practitioner/u1"
    assert render_query("Encounter/{{context.encounterId}}", CONTEXT) is None


def test_token_values_are_url_encoded() -> None:
    assert (
        render_query("Patient/{{context.patientId}}", {"patientId": "a/b?c"}) == "Patient/a%2Fb%3Fc"
    )


@respx.mock
def test_full_prefetch_fetches_nothing() -> None:
    route = respx.route(host="ehr.example.org")
    resolved = resolve(full_prefetch(), factory())
    assert not route.called
    assert {r["id"] for r in resolved.resources} == {"p1", "c1"}
    assert resolved.gaps == []


@respx.mock
def test_absent_key_is_fetched_with_the_token() -> None:
    prefetch = full_prefetch()
    del prefetch["conditions"]
    route = respx.get(f"{BASE}/Condition", params={"patient": "p1"}).respond(
        json=searchset({"resourceType": "Condition", "id": "fetched"})
    )
    resolved = resolve(prefetch, factory())
    assert route.call_count == 1
    assert route.calls.last.request.headers["Authorization"] == "Bearer tok"
    assert "fetched" in {r["id"] for r in resolved.resources}
    assert resolved.fetched_keys == ["conditions"]


@respx.mock
def test_no_prefetch_fetches_every_key_in_parallel() -> None:
    respx.get(f"{BASE}/Patient/p1").respond(json=PATIENT)
    searches = respx.get(url__regex=rf"{BASE}/\w+\?patient=p1.*").respond(json=searchset())
    resolved = resolve(None, factory())
    assert searches.call_count == len(PATIENT_HISTORY) - 1
    assert sorted(resolved.fetched_keys) == sorted(t.key for t in PATIENT_HISTORY)


@respx.mock
def test_null_and_empty_bundle_mean_no_data_and_are_not_refetched() -> None:
    prefetch = full_prefetch()
    prefetch["patient"] = None
    prefetch["conditions"] = searchset()
    route = respx.route(host="ehr.example.org")
    resolved = resolve(prefetch, factory())
    assert not route.called
    assert resolved.resources == []


def test_absent_required_key_without_fhir_server_is_412() -> None:
    prefetch = full_prefetch()
    del prefetch["observations"]
    with pytest.raises(PrefetchUnavailable, match="'observations'"):
        resolve(prefetch, None)


def test_absent_optional_key_without_fhir_server_is_a_stated_gap() -> None:
    prefetch = full_prefetch()
    del prefetch["medicationStatements"]
    resolved = resolve(prefetch, None)
    assert resolved.gaps == [
        "MedicationStatement not available: absent from prefetch and no usable fhirServer"
    ]


@respx.mock
def test_operation_outcome_is_a_client_failure_not_refetched() -> None:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "timeout"}],
    }
    route = respx.route(host="ehr.example.org")
    prefetch = full_prefetch()
    prefetch["medicationAdministrations"] = outcome
    resolved = resolve(prefetch, factory())
    assert resolved.gaps and "OperationOutcome" in resolved.gaps[0]
    prefetch["observations"] = outcome
    with pytest.raises(PrefetchUnavailable, match="OperationOutcome"):
        resolve(prefetch, factory())
    assert not route.called


@respx.mock
def test_paged_prefetch_bundle_is_continued_on_the_server() -> None:
    prefetch = full_prefetch()
    prefetch["observations"] = searchset(
        {"resourceType": "Observation", "id": "o1"}, next_url=f"{BASE}/Observation?page=2"
    )
    respx.get(f"{BASE}/Observation?page=2").respond(
        json=searchset({"resourceType": "Observation", "id": "o2"})
    )
    resolved = resolve(prefetch, factory())
    assert {"o1", "o2"} <= {r["id"] for r in resolved.resources}


def test_paged_prefetch_without_server_is_412_for_required_keys() -> None:
    prefetch = full_prefetch()
    prefetch["observations"] = searchset(next_url=f"{BASE}/Observation?page=2")
    with pytest.raises(PrefetchUnavailable, match="paged"):
        resolve(prefetch, None)


@respx.mock
def test_server_failure_on_a_required_key_is_412_and_on_an_optional_key_a_gap() -> None:
    prefetch = full_prefetch()
    del prefetch["medicationStatements"]
    respx.get(url__startswith=f"{BASE}/MedicationStatement").respond(status_code=503)
    resolved = resolve(prefetch, factory())
    assert resolved.gaps == ["MedicationStatement not available: the FHIR server answered HTTP 503"]
    del prefetch["conditions"]
    respx.get(url__startswith=f"{BASE}/Condition").respond(status_code=500)
    with pytest.raises(PrefetchUnavailable, match="HTTP 500"):
        resolve(prefetch, factory())


@respx.mock
def test_fetches_that_outlive_the_deadline_are_cancelled() -> None:
    async def slow(_request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=searchset())

    prefetch = full_prefetch()
    del prefetch["medicationAdministrations"]
    respx.get(url__startswith=f"{BASE}/MedicationAdministration").mock(side_effect=slow)
    resolved = resolve(prefetch, factory(timeout=10), deadline=0.2)
    assert resolved.gaps == [
        "MedicationAdministration not available: the FHIR server did not answer within the deadline"
    ]


def test_a_non_object_prefetch_value_is_refused_for_required_keys() -> None:
    prefetch = full_prefetch()
    prefetch["conditions"] = ["not", "a", "resource"]
    with pytest.raises(PrefetchUnavailable, match="not a FHIR resource"):
        resolve(prefetch, None)


def test_resources_about_another_patient_are_left_out_and_said() -> None:
    prefetch = full_prefetch()
    prefetch["conditions"] = searchset(
        {"resourceType": "Condition", "id": "mine", "subject": {"reference": "Patient/p1"}},
        {"resourceType": "Condition", "id": "theirs", "subject": {"reference": "Patient/p2"}},
        {
            "resourceType": "Condition",
            "id": "theirs-abs",
            "subject": {"reference": "https://ehr.example.org/fhir/Patient/p2"},
        },
    )
    resolved = resolve(prefetch, None)
    assert {r["id"] for r in resolved.resources} == {"p1", "mine"}
    assert resolved.gaps == ["2 resources about another patient left out"]


def test_a_patient_resource_of_another_patient_is_refused() -> None:
    prefetch = full_prefetch()
    prefetch["patient"] = {"resourceType": "Patient", "id": "someone-else"}
    with pytest.raises(WrongPatient):
        resolve(prefetch, None)


@respx.mock
def test_a_hapi_style_paged_prefetch_is_continued() -> None:
    prefetch = full_prefetch()
    prefetch["observations"] = searchset(
        {"resourceType": "Observation", "id": "o1"}, next_url=f"{BASE}?_getpages=abc&_offset=1"
    )
    respx.get(f"{BASE}?_getpages=abc&_offset=1").respond(
        json=searchset({"resourceType": "Observation", "id": "o2"})
    )
    resolved = resolve(prefetch, factory())
    assert {"o1", "o2"} <= {r["id"] for r in resolved.resources}
