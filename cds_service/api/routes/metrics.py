"""``GET /metrics`` (Prometheus text format) and the middleware that counts HTTP requests.

``/metrics`` is an operations endpoint: guarded by ``CDS_OPERATIONS_TOKEN``
(``cds_service.api.operations_access``).

Requests are labelled by the route *template* the router matched (``/cds-services/{service_id}``,
``/timeline/{ref}``), never by the raw path, so no id or reference reaches a label; a request
that matched no route counts as ``<unmatched>``. See ``cds_service.cdshooks.metrics`` for the
multi-process mode.
"""

from __future__ import annotations

import os
from time import perf_counter

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cds_service.api.operations_access import OPERATIONS_ACCESS
from cds_service.cdshooks.metrics import HTTP_LATENCY, HTTP_REQUESTS

router = APIRouter()

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
UNMATCHED = "<unmatched>"


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    include_in_schema=False,
    dependencies=[OPERATIONS_ACCESS],  # CDS_OPERATIONS_TOKEN; refused in prod without one
)
async def metrics() -> Response:
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


class MetricsMiddleware:
    """Counts every HTTP request and its latency by method, route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500

        async def send_counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_counting)
        finally:
            method = scope.get("method", "")
            method = method if method in _METHODS else "OTHER"
            route = route_template(scope)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_LATENCY.labels(method, route).observe(perf_counter() - started)


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED
