"""Admission control: a bounded number of CDS service calls in progress per worker.

Beyond ``CDS_MAX_CALLS_IN_PROGRESS`` a call is refused at once with ``503``, ``Retry-After``
and an OperationOutcome, before its body is read or its JWT checked: a busy service answers
in a millisecond instead of making every caller wait. The EHR shows no card for a refused
call, which is what CDS Hooks expects of a service that cannot answer in time; a call
admitted is answered within the latency budget because at most that many share the worker.

Only ``POST /cds-services/{id}`` of a known service is gated. Discovery, feedback, the
probes, the metrics and the pages are not (docs/deploy.md, "Back-pressure" says why).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from cds_service.cdshooks.metrics import CALLS_IN_PROGRESS, CALLS_REFUSED
from cds_service.cdshooks.operation_outcome import operation_outcome
from cds_service.cdshooks.registry import SERVICES_BY_ID

RETRY_AFTER_SECONDS = 1
SERVICE_PREFIX = "/cds-services/"
_BODY = orjson.dumps(
    operation_outcome("transient", ["the service is busy: too many calls in progress; retry later"])
)
_HEADERS = [
    (b"content-type", b"application/fhir+json"),
    (b"content-length", str(len(_BODY)).encode()),
    (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
]


@dataclass(frozen=True, slots=True)
class ServiceCallRoute:
    """Stands in for the route a refused call would have matched, so that the request
    metrics label it ``/cds-services/{service_id}`` (never the raw path)."""

    path: str = "/cds-services/{service_id}"


_ROUTE = ServiceCallRoute()


def gated_service(scope: Scope) -> str | None:
    """The service id when the request is a call of a known CDS service, else None."""
    if scope["type"] != "http" or scope.get("method") != "POST":
        return None
    path: str = scope.get("path", "")
    if not path.startswith(SERVICE_PREFIX):
        return None
    service_id = path[len(SERVICE_PREFIX) :]
    return service_id if service_id in SERVICES_BY_ID else None


class AdmissionControl:
    """Pure ASGI middleware: counts the gated calls in progress in this worker (one event
    loop, so a plain integer is exact) and refuses those beyond ``limit``. A call counts from
    its first step in the event loop (its headers are in) until its answer is sent."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_progress = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        service_id = gated_service(scope)
        if service_id is None or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        if self.in_progress >= self.limit:
            CALLS_REFUSED.labels(service_id).inc()
            scope["route"] = _ROUTE
            await send({"type": "http.response.start", "status": 503, "headers": _HEADERS})
            await send({"type": "http.response.body", "body": _BODY})
            return
        self.in_progress += 1
        CALLS_IN_PROGRESS.inc()
        try:
            # Let the calls that arrived with this one take their turn at the gate before this
            # one runs: a call's CPU work does not yield, so without this pause each call
            # would finish before the next is even counted, and the queue would build up
            # unseen in the event loop instead of being refused.
            await asyncio.sleep(0)
            await self.app(scope, receive, send)
        finally:
            self.in_progress -= 1
            CALLS_IN_PROGRESS.dec()
