"""Project measures read from an Observation into ``MeasureResult``s: strength and function
scores (MMT-8, CMAS, FI-2), global activity scales, FVC % predicted, and MRI findings (STIR edema
as a boolean, T1 fatty replacement as a grade)."""

from __future__ import annotations

from datetime import date
from typing import Any

from cds_service.engine.concepts import Analyte, FattyReplacement, Measure
from cds_service.engine.facts import LabResult, MeasureResult, SourceRef
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.labels import measure_label
from cds_service.fhir.units import quantity_units
from cds_service.terminology.systems import MEASURES


def read_measure(
    resource: dict[str, Any],
    reference: str,
    measure: Measure,
    effective: date,
    extraction: Extraction,
) -> None:
    label = measure_label(measure)
    value_type = extraction.terminology.measure_value_type(measure)
    source = SourceRef(reference=reference, display=label)
    body_site = next(iter(raw.concept_texts(raw.obj(resource, "bodySite"))), "")
    result: MeasureResult | None = None
    if value_type == "quantity":
        quantity = raw.obj(resource, "valueQuantity")
        number = raw.number(quantity, "value")
        if number is None:
            number = raw.number(resource, "valueInteger")
        if number is not None:
            unit = next(iter(quantity_units(quantity)), "")
            result = MeasureResult(measure, effective, source, number=number, unit=unit)
    elif value_type == "boolean":
        flag = resource.get("valueBoolean")
        if isinstance(flag, bool):
            result = MeasureResult(measure, effective, source, flag=flag, body_site=body_site)
    elif value_type == "grade":
        grade = _grade(raw.obj(resource, "valueCodeableConcept"))
        if grade is not None:
            result = MeasureResult(measure, effective, source, grade=grade, body_site=body_site)
    if result is None:
        extraction.issue(reference, f"{label}: value missing or of the wrong type")
        return
    extraction.measures.append(result)
    if measure is Measure.FVC_PERCENT_PREDICTED and result.number is not None:
        extraction.labs.append(
            LabResult(
                analyte=Analyte.FVC_PERCENT_PREDICTED,
                value=result.number,
                unit="%",
                effective=effective,
                source=SourceRef(reference=reference, display="FVC % predicted"),
            )
        )


def _grade(concept: dict[str, Any]) -> FattyReplacement | None:
    candidates = [code for system, code, _ in raw.codings(concept) if system == MEASURES]
    candidates += [code for _, code, _ in raw.codings(concept)]
    candidates += list(raw.concept_texts(concept))
    for candidate in candidates:
        try:
            return FattyReplacement(candidate.strip().lower())
        except ValueError:
            continue
    return None
