"""A real FHIR server on loopback for tests of the no-prefetch path: the fixture patients
served by a small Starlette app under uvicorn in a thread, with switches to answer slowly or
with HTTP 500 (what a hospital FHIR server does on a bad day)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cds_service.fhir.bundles import searchset
from cds_service.fhir.fixture_store import FixtureStore
from cds_service.settings import PROJECT_ROOT


@dataclass
class FhirBehaviour:
    """Read by every answer: change it while the server runs."""

    delay_seconds: float = 0.0
    fail_with_500: bool = False
    requests: int = 0


def fhir_app(store: FixtureStore, behaviour: FhirBehaviour) -> Starlette:
    async def answer(request: Request) -> Response:
        behaviour.requests += 1
        if behaviour.delay_seconds:
            await asyncio.sleep(behaviour.delay_seconds)
        if behaviour.fail_with_500:
            return JSONResponse({"resourceType": "OperationOutcome", "issue": []}, 500)
        resource_type = request.path_params["resource_type"]
        resource_id = request.path_params.get("resource_id")
        if resource_id is not None:
            found = store.read(resource_type, resource_id)
            return JSONResponse(found) if found else Response(status_code=404)
        patient = request.query_params.get("patient") or request.query_params.get("subject")
        patient_id = (patient or "").removeprefix("Patient/")
        return JSONResponse(
            searchset(store.search(resource_type, patient_id), self_url=str(request.url))
        )

    return Starlette(
        routes=[
            Route("/fhir/{resource_type}/{resource_id}", answer),
            Route("/fhir/{resource_type}", answer),
        ]
    )


@dataclass(frozen=True)
class LocalFhir:
    base_url: str
    behaviour: FhirBehaviour


@contextmanager
def local_fhir_server() -> Iterator[LocalFhir]:
    store = FixtureStore.from_directory(PROJECT_ROOT / "fixtures")
    behaviour = FhirBehaviour()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        fhir_app(store, behaviour), log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the local FHIR server did not start")
        time.sleep(0.01)
    try:
        yield LocalFhir(base_url=f"http://127.0.0.1:{port}/fhir", behaviour=behaviour)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
