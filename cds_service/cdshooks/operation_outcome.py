"""Error answers as FHIR OperationOutcome bodies (CDS Hooks: returning an OperationOutcome).

Messages say what was wrong with the request, never echo its data, and never carry a trace.
The HTTP answers and ``myositis-cds evaluate --json`` build them here.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]


def operation_outcome(code: str, diagnostics: list[str], severity: str = "error") -> JsonObject:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": text} for text in diagnostics]
        or [{"severity": severity, "code": code}],
    }
