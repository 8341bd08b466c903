"""A tiny read-only FHIR endpoint over the fixture patients (development mode only).

Reads and searches:

* ``GET /fhir/{type}/{id}``; ``GET /fhir/{type}?patient={id}`` (``subject`` too; other
  parameters such as ``_sort`` are accepted and ignored), so a client can call the service
  with ``fhirServer`` pointing here and no prefetch;
* ``GET /fhir/Patient`` lists the fixture patients, paged (``_count``, ``_offset``, a
  ``next`` link), ``_id`` picks some: the reference client's patient picker;
* ``POST /fhir/{type}/_search`` with form parameters answers as the GET search does;
* ``GET /fhir/metadata``: a CapabilityStatement of exactly this, with the SMART endpoints.

The fixtures are served moved to the evaluation day (``fhir.fixture_dates``). ``POST /fhir``
takes a transaction Bundle of ``PUT Type/id`` entries into an in-memory overlay (what
``myositis-cds fixtures load`` sends; the files are never written).

It is also a SMART server (``fhir.dev_smart_server``): ``.well-known/smart-configuration``,
``auth/authorize`` (approves at once) and ``auth/token``. A read with one of its tokens sees
that token's patient only; a read without a token is answered unless
``CDS_DEV_FHIR_REQUIRE_TOKENS`` is set (then 401, as a production server would).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import RedirectResponse, Response

from cds_service.api.body import read_json_object
from cds_service.api.deps import Service
from cds_service.api.outcome import RequestProblem
from cds_service.api.responses import FhirJsonResponse, JsonResponse
from cds_service.fhir.bundles import searchset
from cds_service.fhir.dev_smart_server import AuthorizationRefused, DevSmartServer, TokenRefused
from cds_service.fhir.fixture_store import (
    FixtureStore,
    TransactionRefused,
    patient_of,
    transaction_resources,
)

ResourceType = Annotated[str, Path(description="FHIR resource type, e.g. Observation")]
ResourceId = Annotated[str, Path(description="FHIR resource id")]

router = APIRouter(prefix="/fhir", tags=["embedded FHIR (dev)"])

DEFAULT_PAGE = 20
MAX_PAGE = 100
MAX_FORM_BYTES = 64 * 1024
SEARCHABLE = (
    "Patient",
    "Condition",
    "Observation",
    "MedicationRequest",
    "MedicationStatement",
    "MedicationAdministration",
    "ServiceRequest",
)
SMART_OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


async def _store(service: Service) -> FixtureStore:
    if service.fixtures is None:
        raise RequestProblem(404, "not-found", "the embedded FHIR endpoint is off")
    return service.fixtures


Store = Annotated[FixtureStore, Depends(_store)]


async def _smart(service: Service) -> DevSmartServer:
    if service.dev_smart is None:
        raise RequestProblem(404, "not-found", "the embedded SMART server is off")
    return service.dev_smart


SmartServer = Annotated[DevSmartServer, Depends(_smart)]


async def _token_patient(request: Request, service: Service) -> str | None:
    """The patient a read is limited to: that of its bearer token; None: any patient."""
    header = request.headers.get("authorization", "")
    if not header:
        if service.settings.dev_fhir_require_tokens:
            raise _Unauthorized
        return None
    scheme, _, token = header.partition(" ")
    server = service.dev_smart
    patient = server.patient_of(token.strip()) if server and scheme.lower() == "bearer" else None
    if patient is None:
        raise _Unauthorized
    return patient


TokenPatient = Annotated[str | None, Depends(_token_patient)]


class _Unauthorized(RequestProblem):
    def __init__(self) -> None:
        super().__init__(401, "login", "a valid access token is required")


@router.get("/metadata", summary="CapabilityStatement of the embedded endpoint")
async def metadata(_fixtures: Store, service: Service) -> Response:
    rest: dict[str, Any] = {
        "mode": "server",
        "resource": [
            {
                "type": resource_type,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": (
                    [{"name": "_id", "type": "token"}]
                    if resource_type == "Patient"
                    else [{"name": "patient", "type": "reference"}]
                ),
            }
            for resource_type in SEARCHABLE
        ],
        "interaction": [{"code": "transaction"}],
    }
    server = service.dev_smart
    if server is not None:
        rest["security"] = {
            "service": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                            "code": "SMART-on-FHIR",
                        }
                    ]
                }
            ],
            "extension": [
                {
                    "url": SMART_OAUTH_URIS,
                    "extension": [
                        {"url": "authorize", "valueUri": server.authorize_url},
                        {"url": "token", "valueUri": server.token_url},
                    ],
                }
            ],
        }
    return FhirJsonResponse(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "date": "2026-11-22",
            "software": {"name": "Myositis CDS embedded fixtures (development)"},
            "rest": [rest],
        }
    )


@router.get("/.well-known/smart-configuration", summary="SMART configuration (development)")
async def smart_configuration(server: SmartServer) -> Response:
    return JsonResponse(server.configuration())


@router.get("/auth/authorize", summary="SMART authorization: approves at once (development)")
async def authorize(request: Request, server: SmartServer) -> Response:
    try:
        target = server.authorize(dict(request.query_params))
    except AuthorizationRefused as refused:
        raise RequestProblem(400, "invalid", str(refused)) from None
    return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})


@router.post("/auth/token", summary="SMART token exchange (development)")
async def token(request: Request, server: SmartServer) -> Response:
    form = await _form(request)
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    try:
        answer = server.token(form)
    except TokenRefused as refused:
        body = {"error": refused.error, "error_description": refused.description}
        return JsonResponse(body, status_code=400, headers=headers)
    return JsonResponse(answer, headers=headers)


@router.get("/{resource_type}/{resource_id}", summary="Read a fixture resource")
async def read(
    resource_type: ResourceType, resource_id: ResourceId, store: Store, allowed: TokenPatient
) -> Response:
    resource = store.read(resource_type, resource_id)
    if resource is None or (allowed is not None and patient_of(resource) != allowed):
        raise RequestProblem(404, "not-found", f"no {resource_type} with that id")
    return FhirJsonResponse(resource)


@router.get("/{resource_type}", summary="Search fixture resources by patient; list patients")
async def search(
    resource_type: ResourceType, request: Request, store: Store, allowed: TokenPatient
) -> Response:
    return _search(request, store, allowed, resource_type, dict(request.query_params))


@router.post("/{resource_type}/_search", summary="Search with form parameters (as GET)")
async def search_by_post(
    resource_type: ResourceType, request: Request, store: Store, allowed: TokenPatient
) -> Response:
    params = {**dict(request.query_params), **await _form(request)}
    return _search(request, store, allowed, resource_type, params)


def _search(
    request: Request,
    store: FixtureStore,
    allowed: str | None,
    resource_type: str,
    params: Mapping[str, str],
) -> Response:
    base = str(request.base_url).rstrip("/") + f"/fhir/{resource_type}"
    patient = params.get("patient") or params.get("subject")
    if patient:
        patient_id = patient.removeprefix("Patient/")
        found = [] if allowed not in (None, patient_id) else store.search(resource_type, patient_id)
        return FhirJsonResponse(searchset(found, self_url=f"{base}?{urlencode(params)}"))
    if resource_type != "Patient":
        raise RequestProblem(400, "not-supported", "search needs a patient parameter")
    patients = store.patients()
    if allowed is not None:
        patients = [p for p in patients if p.get("id") == allowed]
    if params.get("_id"):
        wanted = set(params["_id"].split(","))
        patients = [p for p in patients if p.get("id") in wanted]
    count, offset = _paging(params)
    page = patients[offset : offset + count]
    more = offset + count < len(patients)
    query = {k: v for k, v in params.items() if k not in ("_count", "_offset")}

    def link(start: int) -> str:
        return f"{base}?{urlencode({**query, '_count': count, '_offset': start})}"

    return FhirJsonResponse(
        searchset(
            page,
            self_url=link(offset),
            total=len(patients),
            next_url=link(offset + count) if more else None,
        )
    )


def _paging(params: Mapping[str, str]) -> tuple[int, int]:
    try:
        count = int(params.get("_count", DEFAULT_PAGE))
        offset = int(params.get("_offset", 0))
    except ValueError:
        raise RequestProblem(400, "invalid", "_count and _offset must be integers") from None
    if count < 1 or offset < 0:
        raise RequestProblem(400, "invalid", "_count must be positive and _offset not negative")
    return min(count, MAX_PAGE), offset


async def _form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as a dict (bounded, last value wins)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise RequestProblem(415, "not-supported", "send application/x-www-form-urlencoded")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise RequestProblem(413, "too-costly", "the form is too large")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=False))
    except UnicodeDecodeError:
        raise RequestProblem(400, "invalid", "the form is not UTF-8") from None


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
