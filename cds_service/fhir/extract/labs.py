"""Lab results (enzymes, TSH, FVC % predicted) read from an Observation into ``LabResult``s.

Values are converted to the analyte's canonical unit; a value without a number, or with a unit
that is missing or not recognised, is a data issue, never a guess. The reference range comes
from the result (``reference_ranges``); for CK without one, the fallback table of
``ck_fallback``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cds_service.engine.concepts import Analyte, Measure
from cds_service.engine.facts import LabResult, MeasureResult, SourceRef
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.ck_fallback import ck_reference_interval
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.labels import ANALYTE_LABELS
from cds_service.fhir.extract.reference_ranges import reference_range
from cds_service.fhir.units import canonical_unit, convert, quantity_units


def read_lab(
    resource: dict[str, Any],
    reference: str,
    analyte: Analyte,
    effective: date,
    extraction: Extraction,
) -> None:
    label = ANALYTE_LABELS[analyte]
    quantity = raw.obj(resource, "valueQuantity")
    value = raw.number(quantity, "value")
    if value is None:
        extraction.issue(reference, f"{label}: no numeric value")
        return
    units = quantity_units(quantity)
    converted = convert(analyte, value, units)
    if converted is None:
        extraction.issue(reference, f"{label}: unit missing or not recognised")
        return
    low, high, ambiguous = reference_range(resource, analyte, units, extraction, effective)
    from_result = high is not None
    if analyte is Analyte.CK and (high is None or ambiguous):
        fallback = ck_reference_interval(extraction.sex, extraction.age_on(effective))
        if fallback is not None:
            low, high = fallback
            from_result = False
    if ambiguous:
        extraction.issue(reference, f"{label}: ambiguous reference range")
    comparator = raw.text(quantity, "comparator")
    unit_shown = units[0] if units else ""
    source = SourceRef(reference=reference, display=label)
    extraction.labs.append(
        LabResult(
            analyte=analyte,
            value=converted,
            unit=canonical_unit(analyte),
            effective=effective,
            source=source,
            reference_low=low,
            reference_high=high,
            range_from_result=from_result,
            reported_as=f"{comparator}{value:g} {unit_shown}".strip(),
        )
    )
    if analyte is Analyte.FVC_PERCENT_PREDICTED:
        _append_fvc_measure(extraction, converted, effective, source)


def _append_fvc_measure(
    extraction: Extraction, value: float, effective: date, source: SourceRef
) -> None:
    """FVC % predicted is both a lab (Analyte) and a measure (docs/mappings.md): one series each."""
    extraction.measures.append(
        MeasureResult(
            measure=Measure.FVC_PERCENT_PREDICTED,
            effective=effective,
            source=SourceRef(reference=source.reference, display="FVC % predicted"),
            number=value,
            unit="%",
        )
    )
