"""A tiny read-only FHIR endpoint over the fixture patients (development mode only).

It answers ``GET /fhir/{type}/{id}`` and ``GET /fhir/{type}?patient={id}`` (other search
parameters such as ``_sort`` and ``_count`` are accepted and ignored), so a client can call
the service with ``fhirServer`` pointing here and no prefetch. ``POST /fhir`` takes a
transaction Bundle of ``PUT Type/id`` entries into an in-memory overlay of the fixture store
(what ``myositis-cds fixtures load`` sends; the files are never written).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from cds_service.api.body import read_json_object
from cds_service.api.deps import Service
from cds_service.api.outcome import RequestProblem
from cds_service.api.responses import FhirJsonResponse
from cds_service.fhir.bundles import searchset
from cds_service.fhir.fixture_store import FixtureStore, TransactionRefused, transaction_resources

ResourceType = Annotated[str, Path(description="FHIR resource type, e.g. Observation")]
ResourceId = Annotated[str, Path(description="FHIR resource id")]

router = APIRouter(prefix="/fhir", tags=["embedded FHIR (dev)"])


async def _store(service: Service) -> FixtureStore:
    if service.fixtures is None:
        raise RequestProblem(404, "not-found", "the embedded FHIR endpoint is off")
    return service.fixtures


Store = Annotated[FixtureStore, Depends(_store)]


@router.get("/metadata", summary="CapabilityStatement of the embedded endpoint")
async def metadata(_fixtures: Store) -> Response:
    return FhirJsonResponse(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "date": "2026-11-22",
        }
    )


@router.get("/{resource_type}/{resource_id}", summary="Read a fixture resource")
async def read(resource_type: ResourceType, resource_id: ResourceId, store: Store) -> Response:
    resource = store.read(resource_type, resource_id)
    if resource is None:
        raise RequestProblem(404, "not-found", f"no {resource_type} with that id")
    return FhirJsonResponse(resource)


@router.get("/{resource_type}", summary="Search fixture resources by patient")
async def search(resource_type: ResourceType, request: Request, store: Store) -> Response:
    patient = request.query_params.get("patient") or request.query_params.get("subject")
    if not patient:
        raise RequestProblem(400, "not-supported", "search needs a patient parameter")
    patient_id = patient.removeprefix("Patient/")
    return FhirJsonResponse(
        searchset(store.search(resource_type, patient_id), self_url=str(request.url))
    )


@router.post("", summary="Transaction: PUT resources into the in-memory overlay")
async def transaction(request: Request, service: Service, store: Store) -> Response:
    bundle = await read_json_object(
        request, service.settings.max_body_bytes, service.settings.max_json_depth
    )
    try:
        resources = transaction_resources(bundle)
    except TransactionRefused as refused:
        raise RequestProblem(400, "invalid", str(refused)) from None
    entries = []
    for resource in resources:
        created = store.put(resource)
        location = f"{resource['resourceType']}/{resource['id']}/_history/1"
        status = "201 Created" if created else "200 OK"
        entries.append({"response": {"status": status, "location": location}})
    return FhirJsonResponse(
        {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}
    )
