"""Synthetic FHIR resources for extraction tests (no real patient data)."""

from __future__ import annotations

from typing import Any

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
MEASURES = "https://myositis-cds.org/fhir/CodeSystem/myositis-measures"
ANTIBODIES = "https://myositis-cds.org/fhir/CodeSystem/myositis-antibodies"
SUBJECT = {"reference": "Patient/p1"}


def patient(gender: str = "female", birth: str = "1970-06-15") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": "p1", "gender": gender, "birthDate": birth}


def lab(
    ident: str,
    code: str,
    value: float,
    unit: str,
    *,
    system: str = LOINC,
    when: str = "2024-03-05",
    high: float | None = None,
    high_unit: str | None = None,
    status: str = "final",
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": ident,
        "status": status,
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": SUBJECT,
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }
    if high is not None:
        hu = high_unit or unit
        resource["referenceRange"] = [
            {"high": {"value": high, "unit": hu, "system": UCUM, "code": hu}}
        ]
    return resource


def observation(ident: str, system: str, code: str, when: str, **value: Any) -> dict[str, Any]:
    """A final Observation about the test patient; ``value`` adds or overrides members."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": SUBJECT,
        "effectiveDateTime": when,
    }
    resource.update(value)
    return resource


def antibody(ident: str, code: str, *, system: str = LOINC, **value: Any) -> dict[str, Any]:
    return observation(ident, system, code, "2024-02-01", **value)


def condition(
    ident: str,
    codings: list[tuple[str, str]],
    *,
    clinical: str | None = "active",
    verification: str | None = None,
    onset: str | None = "2023-01",
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": ident,
        "subject": SUBJECT,
        "code": {"coding": [{"system": s, "code": c} for s, c in codings]},
    }
    if clinical:
        resource["clinicalStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": clinical,
                }
            ]
        }
    if verification:
        resource["verificationStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": verification,
                }
            ]
        }
    if onset:
        resource["onsetDateTime"] = onset
    return resource


def medication_concept(
    code: str | None = None, text: str | None = None, display: str | None = None
) -> dict[str, Any]:
    concept: dict[str, Any] = {}
    if code or display:
        coding: dict[str, Any] = {"system": RXNORM}
        if code:
            coding["code"] = code
        if display:
            coding["display"] = display
        concept["coding"] = [coding]
    if text:
        concept["text"] = text
    return concept


def dosage(mg: float, per_day: int = 1) -> dict[str, Any]:
    return {
        "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [
            {"doseQuantity": {"value": mg, "unit": "mg", "system": UCUM, "code": "mg"}}
        ],
    }


def medication_request(
    ident: str,
    concept: dict[str, Any],
    *,
    status: str = "active",
    start: str = "2024-01-01",
    end: str | None = None,
    mg: float | None = None,
) -> dict[str, Any]:
    dose: dict[str, Any] = dosage(mg) if mg is not None else {"text": "as directed"}
    bounds: dict[str, Any] = {"start": start}
    if end:
        bounds["end"] = end
    timing: dict[str, Any] = dose.setdefault("timing", {})
    timing.setdefault("repeat", {})["boundsPeriod"] = bounds
    return {
        "resourceType": "MedicationRequest",
        "id": ident,
        "status": status,
        "intent": "order",
        "subject": SUBJECT,
        "medicationCodeableConcept": concept,
        "dosageInstruction": [dose],
    }


def medication_statement(
    ident: str,
    concept: dict[str, Any],
    *,
    status: str = "active",
    start: str = "2024-01-01",
    end: str | None = None,
    mg: float | None = None,
) -> dict[str, Any]:
    period: dict[str, Any] = {"start": start}
    if end:
        period["end"] = end
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": ident,
        "status": status,
        "subject": SUBJECT,
        "medicationCodeableConcept": concept,
        "effectivePeriod": period,
    }
    if mg is not None:
        resource["dosage"] = [dosage(mg)]
    return resource


def measure(ident: str, code: str, **value: Any) -> dict[str, Any]:
    return observation(ident, MEASURES, code, "2024-03-01", **value)
