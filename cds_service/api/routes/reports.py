"""``/reports/feedback``: the feedback report for a CDS committee (docs/feedback.md).

An operations endpoint: behind ``CDS_OPERATIONS_TOKEN`` (open in development without one,
refused in production without one), out of the OpenAPI document like ``/metrics``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from cds_service.api.deps import Service
from cds_service.api.operations_access import OPERATIONS_ACCESS
from cds_service.api.outcome import RequestProblem
from cds_service.api.responses import JsonResponse
from cds_service.cdshooks.feedback_report import render_report_page, report_document
from cds_service.service import ReportUnavailable

router = APIRouter()

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    ),
}
Day = Annotated[date | None, Query(description="first or last day of issue (UTC), YYYY-MM-DD")]


@router.get(
    "/reports/feedback",
    summary="Feedback report: cards shown, accepted, overridden, per finding and rule version",
    include_in_schema=False,
    dependencies=[OPERATIONS_ACCESS],
)
async def feedback_report(
    service: Service,
    since: Day = None,
    until: Day = None,
    format: Annotated[Literal["html", "json"], Query()] = "html",
) -> Response:
    if since is not None and until is not None and since > until:
        raise RequestProblem(400, "invalid", "since must not be after until")
    try:
        report = await run_in_threadpool(service.feedback_report, since, until)
    except ReportUnavailable:
        raise RequestProblem(503, "transient", "the report cannot be read now") from None
    if format == "json":
        return JsonResponse(report_document(report), headers={"Cache-Control": "no-store"})
    return HTMLResponse(render_report_page(report), headers=PAGE_HEADERS)
