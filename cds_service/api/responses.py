"""JSON responses encoded with orjson (no ``null``s are added: callers build exact bodies)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class JsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class FhirJsonResponse(JsonResponse):
    media_type = "application/fhir+json"
