"""The FastAPI application: a thin HTTP face over the service object.

``create_app`` builds the ``CdsService`` (``cds_service.service.build_service``) once, mounts
the routes of ``api/routes/``, and installs the error answers, CORS and start-up work.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from cds_service.api.admission import AdmissionControl
from cds_service.api.auth import Unauthenticated
from cds_service.api.catch_all import CatchAll
from cds_service.api.logs import configure_structlog
from cds_service.api.openapi import install_openapi
from cds_service.api.outcome import RequestProblem, outcome_response
from cds_service.api.request_deadline import RequestDeadline
from cds_service.api.routes import (
    bench,
    cds_services,
    embedded_fhir,
    fixtures,
    health,
    metrics,
    reference,
    reports,
    smart,
    timeline,
)
from cds_service.cdshooks.validation_messages import validation_messages
from cds_service.fhir.extract.validate import (
    configure_fast_validation,
    configure_validation_cache,
    warm_up_in_background,
)
from cds_service.fhir.pool import close_shared_client
from cds_service.service import build_service
from cds_service.settings import Settings
from cds_service.version import VERSION


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_structlog(settings.log_level)
    configure_validation_cache(settings.validation_cache_size)
    configure_fast_validation(settings.fast_validation)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.gc_tuning:
            tune_gc_after_start_up()
        # fhir.resources (the validation fallback) is imported on first need or by this
        # warm-up, whichever comes first: after start-up and after the first calls.
        warm_up = warm_up_in_background(WARM_UP_DELAY_SECONDS, freeze=settings.gc_tuning)
        yield
        warm_up.cancel()
        await close_shared_client()

    app = FastAPI(
        title="Myositis CDS",
        version=VERSION,
        description=(
            "CDS Hooks 2.0.1 service for refractory idiopathic inflammatory myopathy "
            "(Lundberg 2021)."
        ),
        lifespan=lifespan,
        openapi_url=None,  # served by install_openapi, authenticated like discovery
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = build_service(settings)  # routes take it as ``api.deps.Service``
    # Inside CORS, so that a browser client can read a refusal or a timeout.
    app.add_middleware(AdmissionControl, limit=settings.max_calls_in_progress)
    app.add_middleware(RequestDeadline, seconds=settings.request_timeout_seconds)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept"],
        max_age=600,
    )
    app.include_router(cds_services.router)
    app.include_router(health.router)
    app.include_router(reference.router)
    app.include_router(timeline.router)
    app.include_router(smart.router)
    app.include_router(metrics.router)
    app.include_router(reports.router)
    if settings.serves_embedded_fhir:
        app.include_router(embedded_fhir.router)
        app.include_router(fixtures.router)
    if settings.bench_endpoints:
        bench.install_gc_probe()
        app.include_router(bench.router)
    _install_error_answers(app)
    install_openapi(app, serve_docs=settings.is_dev)
    app.add_middleware(CatchAll)  # inside metrics: a 500 it answers is still counted
    app.add_middleware(metrics.MetricsMiddleware)  # outermost: counts every answer
    return app


WARM_UP_DELAY_SECONDS = 2.0

# Young-generation threshold after start-up. The count is net: allocations of tracked objects
# less deallocations, so a call's decoded prefetch (~15 000 containers at 500 Observations,
# ~150 000 at 5000) raises it only while the call runs. The default (700) walked that tree
# dozens of times per call; 50 000 still collected during 5000-Observation calls (20-50 ms
# pauses); 200 000 does not, and bounds cyclic garbage to ~200 000 objects between collections.
GC_GEN0_THRESHOLD = 200_000


def tune_gc_after_start_up() -> None:
    """Move everything loaded so far (modules, models, terminology) out of the collector's
    sight and collect the young generation less often: no full collection walks the start-up
    heap again, which removed the ~40 ms pauses (docs/performance.md). No ``gc.collect()``
    first: it costs ~90 ms of start-up to reclaim a few kB of import-time garbage."""
    if gc.get_threshold()[0] >= GC_GEN0_THRESHOLD:  # once per process (tests build many apps)
        return
    gc.freeze()
    _gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)


def _install_error_answers(app: FastAPI) -> None:
    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(_request: Request, _error: Unauthenticated) -> Response:
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(RequestProblem)
    async def _problem(_request: Request, problem: RequestProblem) -> Response:
        return outcome_response(problem.status, problem.code, *problem.diagnostics)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> Response:
        code = "not-found" if error.status_code == 404 else "processing"
        return outcome_response(error.status_code, code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, error: RequestValidationError) -> Response:
        return outcome_response(422, "invalid", *validation_messages(error.errors()))
