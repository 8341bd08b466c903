"""4xx answers with a FHIR OperationOutcome body (``cdshooks.operation_outcome``)."""

from __future__ import annotations

from cds_service.api.responses import FhirJsonResponse
from cds_service.cdshooks.operation_outcome import operation_outcome


def outcome_response(status: int, code: str, *diagnostics: str) -> FhirJsonResponse:
    return FhirJsonResponse(operation_outcome(code, list(diagnostics)), status_code=status)


class RequestProblem(Exception):
    """A 4xx answer with an OperationOutcome body."""

    def __init__(self, status: int, code: str, *diagnostics: str) -> None:
        super().__init__(diagnostics[0] if diagnostics else code)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
