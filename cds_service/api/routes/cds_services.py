"""The CDS Hooks endpoints: discovery, service calls and feedback (CDS Hooks 2.0.1)."""

from __future__ import annotations

from time import perf_counter
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from cds_service.api.body import read_json_object
from cds_service.api.deps import Caller, Service
from cds_service.api.logs import get_logger
from cds_service.api.outcome import RequestProblem
from cds_service.api.responses import JsonResponse
from cds_service.cdshooks.feedback_store import FeedbackStoreUnavailable
from cds_service.cdshooks.metrics import FEEDBACK, FEEDBACK_UNMATCHED, count_cards
from cds_service.cdshooks.models import (
    AnyHookContext,
    CdsRequest,
    FeedbackRequest,
    OrderSelectContext,
    validate_context,
)
from cds_service.cdshooks.prefetch import PrefetchUnavailable, WrongPatient
from cds_service.cdshooks.registry import SERVICES, SERVICES_BY_ID, ServiceSpec
from cds_service.cdshooks.validation_messages import validation_messages
from cds_service.service import CdsService, NotReady

router = APIRouter()
MAX_FEEDBACK_ITEMS = 500
ServiceId = Annotated[str, Path(description="id of a service listed by discovery")]
log = get_logger()


def discovery_document() -> dict[str, Any]:
    return {
        "services": [
            {
                "hook": s.hook.value,
                "title": s.title,
                "description": s.description,
                "id": s.id,
                "prefetch": s.prefetch_map(),
                "usageRequirements": s.usage_requirements,
            }
            for s in SERVICES
        ]
    }


@router.get("/cds-services", summary="Discovery: the services this CDS service offers")
async def discovery(_caller: Caller) -> Response:
    return JsonResponse(discovery_document())


def _service(service_id: str) -> ServiceSpec:
    service = SERVICES_BY_ID.get(service_id)
    if service is None:
        raise RequestProblem(404, "not-found", f"no CDS service with id '{service_id}'")
    return service


ModelT = TypeVar("ModelT", bound=BaseModel)


async def read_model(request: Request, service: CdsService, model: type[ModelT]) -> ModelT:
    """The body within the size and depth limits, validated into ``model`` (422 naming the
    fields that failed, never their values)."""
    body = await read_json_object(
        request, service.settings.max_body_bytes, service.settings.max_json_depth
    )
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise validation_problem(error) from None


def validation_problem(error: ValidationError, status: int = 422) -> RequestProblem:
    """A 4xx naming each field that failed; never the submitted values."""
    return RequestProblem(status, "invalid", *validation_messages(error.errors()))


@router.post("/cds-services/{service_id}", summary="Call a CDS service")
async def call_service(
    service_id: ServiceId, request: Request, cds: Service, caller: Caller
) -> Response:
    started = perf_counter()
    service = _service(service_id)
    cds_request = await read_model(request, cds, CdsRequest)
    if cds_request.hook != service.hook.value:
        raise RequestProblem(
            400, "invalid", f"service '{service.id}' answers the '{service.hook}' hook"
        )
    try:
        hook_context = validate_context(cds_request)
    except ValidationError as error:
        raise validation_problem(error) from None
    check_selections(hook_context)
    check_authorized_patient(cds_request, hook_context)
    if prefetch_entry_count(cds_request.prefetch) > cds.settings.max_entries:
        raise RequestProblem(
            413, "too-costly", f"prefetch holds more than {cds.settings.max_entries} entries"
        )
    try:
        result = await cds.call(service, cds_request, caller)
    except NotReady:
        raise RequestProblem(503, "transient", "terminology tables failed to load") from None
    except WrongPatient as wrong:
        raise RequestProblem(422, "invalid", str(wrong)) from None
    except PrefetchUnavailable as missing:
        log.info(
            "cds_call",
            service=service.id,
            hook_instance=cds_request.hookInstance,
            status=412,
            problems=len(missing.problems),
            latency_ms=round((perf_counter() - started) * 1000, 2),
        )
        raise RequestProblem(412, "not-found", *missing.problems) from None
    log.info(
        "cds_call",
        service=service.id,
        hook_instance=cds_request.hookInstance,
        status=200,
        findings=result.finding_codes,
        cards=len(result.cards),
        data_issues=result.data_issues,
        data_gaps=result.data_gaps,
        latency_ms=round((perf_counter() - started) * 1000, 2),
    )
    count_cards(service.id, result.cards)
    return JsonResponse({"cards": result.cards})


def prefetch_entry_count(prefetch: dict[str, Any] | None) -> int:
    """Resources in the prefetch: one per resource, one per Bundle entry."""
    total = 0
    for value in (prefetch or {}).values():
        if isinstance(value, dict):
            entries = value.get("entry")
            total += len(entries) if isinstance(entries, list) else 1
    return total


def check_authorized_patient(request: CdsRequest, context: AnyHookContext) -> None:
    """The access token's patient, when given, must be the patient in context."""
    authorization = request.fhirAuthorization
    if authorization and authorization.patient and authorization.patient != context.patientId:
        raise RequestProblem(
            422, "invalid", "fhirAuthorization.patient differs from context.patientId"
        )


def check_selections(context: AnyHookContext) -> None:
    """order-select: every selection must name one of the draft orders (422 otherwise)."""
    if not isinstance(context, OrderSelectContext) or context.selections is None:
        return
    if not context.selections:
        raise RequestProblem(422, "invalid", "context.selections: empty (omit it to select all)")
    drafts = {f"{r.get('resourceType')}/{r.get('id')}" for r in context.draft_resources()}
    unknown = [s for s in context.selections if s not in drafts]
    if unknown:
        raise RequestProblem(
            422,
            "invalid",
            f"context.selections: {len(unknown)} selection(s) name no order in draftOrders",
        )


@router.post("/cds-services/{service_id}/feedback", summary="Feedback on cards")
async def feedback(
    service_id: ServiceId, request: Request, cds: Service, _caller: Caller
) -> Response:
    service = _service(service_id)
    parsed = await read_model(request, cds, FeedbackRequest)
    if len(parsed.feedback) > MAX_FEEDBACK_ITEMS:
        raise RequestProblem(
            413, "too-costly", f"more than {MAX_FEEDBACK_ITEMS} feedback items in one call"
        )
    try:
        result = await run_in_threadpool(cds.store_feedback, service, parsed)
    except FeedbackStoreUnavailable as error:
        log.error("cds_feedback_unavailable", service=service.id, error=str(error))
        raise RequestProblem(
            503, "transient", "feedback could not be stored now; send it again later"
        ) from None
    for item in parsed.feedback:
        FEEDBACK.labels(service.id, str(item.outcome)).inc()
    for reason, count in result.unmatched.items():
        FEEDBACK_UNMATCHED.labels(service.id, reason).inc(count)
    log.info("cds_feedback", service=service.id, stored=result.stored, duplicates=result.duplicates)
    return JsonResponse({"stored": result.stored, "duplicates": result.duplicates})
