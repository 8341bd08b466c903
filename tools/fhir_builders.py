"""Small builders for synthetic FHIR R4 resources (fixtures and tests; never real patients)."""

from __future__ import annotations

from typing import Any

# Bundles are built where the service builds them (re-exported for the fixtures and the bench).
from cds_service.fhir.bundles import collection as collection
from cds_service.fhir.bundles import searchset as searchset

JsonObject = dict[str, Any]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
MEASURES = "https://myositis-cds.org/fhir/CodeSystem/myositis-measures"
ANTIBODIES = "https://myositis-cds.org/fhir/CodeSystem/myositis-antibodies"
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def patient(pid: str, birth_date: str, gender: str, family: str, given: str) -> JsonObject:
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"system": "urn:example:synthetic-mrn", "value": f"SYN-{pid}"}],
        "name": [{"family": family, "given": [given]}],
        "gender": gender,
        "birthDate": birth_date,
    }


def _subject(pid: str) -> JsonObject:
    return {"reference": f"Patient/{pid}"}


def lab(
    pid: str,
    rid: str,
    loinc: str,
    display: str,
    value: float,
    unit: str,
    when: str,
    high: float | None = None,
    low: float | None = None,
) -> JsonObject:
    resource: JsonObject = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": loinc, "display": display}], "text": display},
        "subject": _subject(pid),
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }
    if high is not None:
        reference: JsonObject = {
            "high": {"value": high, "unit": unit, "system": UCUM, "code": unit}
        }
        if low is not None:
            reference["low"] = {"value": low, "unit": unit, "system": UCUM, "code": unit}
        resource["referenceRange"] = [reference]
    return resource


def antibody(
    pid: str,
    rid: str,
    system: str,
    code: str,
    display: str,
    positive: bool,
    when: str,
) -> JsonObject:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": system, "code": code, "display": display}], "text": display},
        "subject": _subject(pid),
        "effectiveDateTime": when,
        "valueString": "Positive" if positive else "Negative",
        "interpretation": [
            {"coding": [{"system": V3_INTERPRETATION, "code": "POS" if positive else "NEG"}]}
        ],
    }


def measure_number(
    pid: str, rid: str, code: str, display: str, value: float, unit: str, when: str
) -> JsonObject:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": MEASURES, "code": code, "display": display}]},
        "subject": _subject(pid),
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def measure_flag(pid: str, rid: str, code: str, display: str, flag: bool, when: str) -> JsonObject:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": MEASURES, "code": code, "display": display}]},
        "subject": _subject(pid),
        "effectiveDateTime": when,
        "valueBoolean": flag,
    }


def mri_fatty(pid: str, rid: str, grade: str, when: str) -> JsonObject:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {
            "coding": [
                {
                    "system": MEASURES,
                    "code": "mri-fatty-replacement",
                    "display": "MRI T1 fatty replacement",
                }
            ]
        },
        "subject": _subject(pid),
        "effectiveDateTime": when,
        "valueCodeableConcept": {"coding": [{"system": MEASURES, "code": grade}]},
    }


def condition(
    pid: str,
    rid: str,
    system: str,
    code: str,
    display: str,
    onset: str,
    clinical_status: str = "active",
    verification: str = "confirmed",
) -> JsonObject:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": clinical_status,
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": verification,
                }
            ]
        },
        "code": {"coding": [{"system": system, "code": code, "display": display}], "text": display},
        "subject": _subject(pid),
        "onsetDateTime": onset,
    }


def medication_request(
    pid: str,
    rid: str,
    rxnorm: str | None,
    name: str,
    start: str,
    *,
    status: str = "active",
    dose_mg_per_day: float | None = None,
    end: str | None = None,
    intent: str = "order",
    dose_every: tuple[float, str, float, str] | None = None,
) -> JsonObject:
    """``dose_every`` = (amount, unit, period, periodUnit): one dose every period, as ordered
    (methotrexate 20 mg once weekly is ``(20, "mg", 1, "wk")``)."""
    concept: JsonObject = {"text": name}
    if rxnorm:
        concept["coding"] = [{"system": RXNORM, "code": rxnorm, "display": name}]
    resource: JsonObject = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": intent,
        "medicationCodeableConcept": concept,
        "subject": _subject(pid),
        "authoredOn": start,
    }
    period: JsonObject = {"start": start}
    if end:
        period["end"] = end
    dosage: JsonObject = {"timing": {"repeat": {"boundsPeriod": period}}}
    if dose_mg_per_day is not None:
        dosage["text"] = f"{dose_mg_per_day:g} mg daily"
        dosage["timing"]["repeat"].update({"frequency": 1, "period": 1, "periodUnit": "d"})
        dosage["doseAndRate"] = [
            {"doseQuantity": {"value": dose_mg_per_day, "unit": "mg", "system": UCUM, "code": "mg"}}
        ]
    if dose_every is not None:
        amount, unit, every, period_unit = dose_every
        dosage["timing"]["repeat"].update(
            {"frequency": 1, "period": every, "periodUnit": period_unit}
        )
        dosage["doseAndRate"] = [{"doseQuantity": {"value": amount, "unit": unit}}]
    resource["dosageInstruction"] = [dosage]
    return resource
