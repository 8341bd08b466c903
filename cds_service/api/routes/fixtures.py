"""The fixture scenarios' ready-made CDS Hooks requests, as of today (development mode only).

``GET /fixtures`` lists the scenarios; ``GET /fixtures/{name}/request`` gives one request
moved to the evaluation day and naming the embedded FHIR endpoint at the address served
(``fhir.fixture_requests``): post it as it is (full prefetch), or without its ``prefetch``
(the service reads the embedded endpoint), and the scenario's expected cards come back.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from cds_service.api.deps import Service
from cds_service.api.outcome import RequestProblem
from cds_service.api.responses import JsonResponse
from cds_service.fhir.fixture_dates import days_from_anchor
from cds_service.fhir.fixture_requests import ready_request, scenario_names
from cds_service.settings import Settings

router = APIRouter(prefix="/fixtures", tags=["fixtures (dev)"])

ScenarioName = Annotated[str, Path(description="scenario folder name, e.g. statin-and-hmgcr")]


def _settings(service: Service) -> Settings:
    if service.fixtures is None:
        raise RequestProblem(404, "not-found", "the fixture scenarios are off")
    return service.settings


@router.get("", summary="The fixture scenarios that have a ready-made request")
async def scenarios(service: Service) -> Response:
    settings = _settings(service)
    base = settings.public_base_url.rstrip("/")
    names = scenario_names(settings.fixtures_dir)
    return JsonResponse(
        {"scenarios": [{"name": n, "request": f"{base}/fixtures/{n}/request"} for n in names]}
    )


@router.get("/{name}/request", summary="A scenario's CDS Hooks request as of today")
async def scenario_request(name: ScenarioName, service: Service) -> Response:
    settings = _settings(service)
    document = ready_request(
        settings.fixtures_dir,
        name,
        fhir_server=settings.public_base_url.rstrip("/") + "/fhir",
        days=days_from_anchor(settings.evaluation_day()),
    )
    if document is None:
        raise RequestProblem(404, "not-found", "no scenario of that name")
    return JsonResponse(document)
