"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cds_service.api.deps import Service
from cds_service.api.responses import JsonResponse

router = APIRouter()


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> Response:
    return JsonResponse({"status": "ok"})


@router.get("/readyz", summary="Readiness: terminology tables valid, database schema migrated")
async def readyz(service: Service) -> Response:
    problems = await run_in_threadpool(service.readiness_problems)
    if not problems:
        return JsonResponse({"status": "ready"})
    return JsonResponse({"status": "not-ready", "problems": problems[:50]}, status_code=503)
