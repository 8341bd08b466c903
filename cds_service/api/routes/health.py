"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cds_service.api.responses import JsonResponse
from cds_service.api.state import ServiceState

router = APIRouter()


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> Response:
    return JsonResponse({"status": "ok"})


@router.get("/readyz", summary="Readiness: terminology tables loaded and valid")
async def readyz(request: Request) -> Response:
    state: ServiceState = request.app.state.service
    if state.ready:
        return JsonResponse({"status": "ready"})
    return JsonResponse(
        {"status": "not-ready", "problems": list(state.terminology_problems)[:50]},
        status_code=503,
    )
