"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from cds_service.api.deps import Service
from cds_service.api.responses import JsonResponse

router = APIRouter()


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> Response:
    return JsonResponse({"status": "ok"})


@router.get("/readyz", summary="Readiness: terminology tables loaded and valid")
async def readyz(service: Service) -> Response:
    if service.ready:
        return JsonResponse({"status": "ready"})
    return JsonResponse(
        {"status": "not-ready", "problems": list(service.problems)[:50]},
        status_code=503,
    )
