"""Structural validation of relevant resources with ``fhir.resources`` (R4B), one at a time.

Only resources that the terminology tables make relevant reach this point; a resource that fails
becomes a data issue (its reference and a short problem, never its values).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

_MODELS: dict[str, Any] = {
    "Observation": Observation,
    "Condition": Condition,
    "MedicationRequest": MedicationRequest,
    "MedicationStatement": MedicationStatement,
    "MedicationAdministration": MedicationAdministration,
    "Medication": Medication,
    "Patient": Patient,
}


def structural_problem(resource: Mapping[str, Any]) -> str | None:
    """None when the resource is valid FHIR R4B, else a short problem (no data values)."""
    model = _MODELS.get(str(resource.get("resourceType")))
    if model is None:
        return "unsupported resource type"
    try:
        model.model_validate(dict(resource))
    except Exception as exc:  # pydantic ValidationError and anything a bad shape provokes
        count = getattr(exc, "error_count", None)
        errors = count() if callable(count) else 1
        return f"not valid FHIR R4B {resource.get('resourceType')} ({errors} error(s))"
    return None
