"""The OpenAPI document: the CDS Hooks wire models as schemas of the raw-body endpoints.

The service endpoints read their body themselves (size and depth limits before parsing), so
FastAPI cannot infer the schemas; they are added here from the pydantic models, every field
with its description.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.responses import Response

from cds_service.api.auth import authenticate
from cds_service.api.responses import JsonResponse
from cds_service.cdshooks.models import CdsRequest, CdsResponse, DiscoveryResponse, FeedbackRequest

REF = "#/components/schemas/{model}"

OPERATION_OUTCOME_SCHEMA: dict[str, Any] = {
    "title": "OperationOutcome",
    "description": "FHIR OperationOutcome describing why the request was refused.",
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome", "description": "Always OperationOutcome."},
        "issue": {
            "type": "array",
            "description": "One entry per problem found.",
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"type": "string", "description": "error or warning"},
                    "code": {"type": "string", "description": "FHIR issue type code"},
                    "diagnostics": {"type": "string", "description": "What was wrong."},
                },
            },
        },
    },
}

FEEDBACK_RESULT_SCHEMA: dict[str, Any] = {
    "title": "FeedbackResult",
    "description": "How many feedback items were stored, and how many were already stored.",
    "type": "object",
    "required": ["stored", "duplicates"],
    "properties": {
        "stored": {"type": "integer", "description": "Items stored by this call."},
        "duplicates": {"type": "integer", "description": "Items already stored before."},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/fhir+json": {"schema": _ref("OperationOutcome")}},
    }


_ERRORS = {
    "400": _problem("Malformed JSON, wrong hook, or JSON nested too deeply"),
    "401": {"description": "Missing or invalid JWT (no detail given)"},
    "404": _problem("No service with this id"),
    "413": _problem("Request body too large"),
    "422": _problem("The body does not match the CDS Hooks model"),
}


def _replace_fastapi_validation_errors(document: dict[str, Any]) -> None:
    """Our 4xx bodies are OperationOutcomes, never FastAPI's default validation error."""
    schemas = document.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "422" in responses:
                responses["422"] = _problem("The request does not match what the endpoint reads")


def install_openapi(app: FastAPI, *, serve_docs: bool) -> None:
    """The document at ``GET /openapi.json``, authenticated like discovery (the EHR's JWT when
    authentication is on); the ``/docs`` and ``/redoc`` pages only when ``serve_docs`` (dev).
    Create the app with ``openapi_url=docs_url=redoc_url=None`` so that FastAPI's own public
    routes do not exist."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        models: list[tuple[type[BaseModel], Any]] = [
            (CdsRequest, "validation"),
            (FeedbackRequest, "validation"),
            (CdsResponse, "serialization"),
            (DiscoveryResponse, "serialization"),
        ]
        _, schemas = models_json_schema(models, ref_template=REF)
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components.update(schemas.get("$defs", {}))
        components["OperationOutcome"] = OPERATION_OUTCOME_SCHEMA
        components["FeedbackResult"] = FEEDBACK_RESULT_SCHEMA
        paths = document["paths"]
        service = paths["/cds-services/{service_id}"]["post"]
        service["requestBody"] = {"required": True, **_json(_ref("CdsRequest"), "A hook call")}
        service["responses"] = {
            "200": _json(_ref("CdsResponse"), "Cards (an empty list when nothing applies)"),
            "412": _problem("Required FHIR data could not be obtained"),
            "503": _problem(
                "Busy: too many calls in progress (Retry-After), or terminology tables failed "
                "to load"
            ),
            **_ERRORS,
        }
        feedback = paths["/cds-services/{service_id}/feedback"]["post"]
        feedback["requestBody"] = {
            "required": True,
            **_json(_ref("FeedbackRequest"), "Feedback on cards"),
        }
        feedback["responses"] = {"200": _json(_ref("FeedbackResult"), "Stored"), **_ERRORS}
        discovery = paths["/cds-services"]["get"]
        discovery["responses"] = {
            "200": _json(_ref("DiscoveryResponse"), "The services offered"),
            "401": _ERRORS["401"],
        }
        _replace_fastapi_validation_errors(document)
        app.openapi_schema = document
        return document

    app.openapi = build  # type: ignore[method-assign]

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document(request: Request) -> JsonResponse:
        await authenticate(request)
        return JsonResponse(app.openapi())

    if not serve_docs:
        return

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - docs")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> Response:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} - ReDoc")
