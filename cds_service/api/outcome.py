"""Error answers as FHIR OperationOutcome bodies (CDS Hooks 3.0 §Returning OperationOutcome).

Messages say what was wrong with the request, never echo its data, and never carry a trace.
"""

from __future__ import annotations

from typing import Any

from cds_service.api.responses import FhirJsonResponse

JsonObject = dict[str, Any]


def operation_outcome(code: str, diagnostics: list[str], severity: str = "error") -> JsonObject:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": text} for text in diagnostics]
        or [{"severity": severity, "code": code}],
    }


def outcome_response(status: int, code: str, *diagnostics: str) -> FhirJsonResponse:
    return FhirJsonResponse(operation_outcome(code, list(diagnostics)), status_code=status)


class RequestProblem(Exception):
    """A 4xx answer with an OperationOutcome body."""

    def __init__(self, status: int, code: str, *diagnostics: str) -> None:
        super().__init__(diagnostics[0] if diagnostics else code)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
