"""Turning facts into evidence rows: one place for how a fact is shown on a card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cds_service.engine.concepts import DrugClass
from cds_service.engine.date_arithmetic import Period
from cds_service.engine.facts import (
    AntibodyResult,
    DiagnosisFact,
    LabResult,
    MeasureResult,
    MedicationExposure,
)
from cds_service.engine.findings import Evidence


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3g}"


def _same_quantity_text(reported: str, shown: str) -> bool:
    """Whether two quantity texts say the same thing: "12 m[IU]/L" (UCUM's bracketed
    annotation) is "12 mIU/L"; spaces and letter case do not count."""

    def plain(text: str) -> str:
        return "".join(c for c in text if c not in "[] ").casefold()

    return plain(reported) == plain(shown)


def lab_evidence(result: LabResult) -> Evidence:
    """A lab value in its canonical unit; the value as reported follows only when it reads
    differently (another unit converted, a comparator), never as a repetition."""
    value_text = f"{_number(result.value)} {result.unit}"
    shown = value_text
    ratio = result.times_upper_limit
    if ratio is not None:
        shown += f" ({ratio:.1f}x ULN)"
    if result.reported_as and not _same_quantity_text(result.reported_as, value_text):
        shown += f"; reported {result.reported_as}"
    low = "" if result.reference_low is None else _number(result.reference_low)
    high = "" if result.reference_high is None else _number(result.reference_high)
    reference_range = f"{low}-{high} {result.unit}" if high else ""
    if reference_range and not result.range_from_result:
        reference_range += " (fallback by sex and age)"
    return Evidence(
        label=result.source.display or result.analyte.value.upper(),
        value=shown,
        reference=result.source.reference,
        when=result.effective,
        reference_range=reference_range,
    )


def antibody_evidence(result: AntibodyResult) -> Evidence:
    shown = result.status.value
    if result.reported_as:
        shown += f" ({result.reported_as})"
    return Evidence(
        label=result.source.display or f"Anti-{result.antibody.value.upper()}",
        value=shown,
        reference=result.source.reference,
        when=result.effective,
    )


def medication_evidence(exposure: MedicationExposure) -> Evidence:
    """A medication as ordered (docs/clinical-logic.md, "How doses are shown"): its dose as
    written, amount, unit and timing; a per-day figure only for glucocorticoids (the
    prednisone-equivalent the GC thresholds use). Never a non-glucocorticoid dose per day."""
    parts = [exposure.agent.value, "active" if exposure.active else "stopped"]
    if exposure.dose_as_ordered:
        parts.append(exposure.dose_as_ordered)
    if exposure.daily_dose_mg is not None and exposure.drug_class is DrugClass.GLUCOCORTICOID:
        parts.append(f"{_number(exposure.daily_dose_mg)} mg/day prednisone-equivalent")
    if exposure.start is not None:
        parts.append(f"since {exposure.start.isoformat()}")
    if exposure.end is not None:
        parts.append(f"until {exposure.end.isoformat()}")
    return Evidence(
        label=exposure.source.display or exposure.agent.value,
        value=", ".join(parts),
        reference=exposure.source.reference,
        when=exposure.start,
    )


def measure_evidence(result: MeasureResult) -> Evidence:
    if result.number is not None:
        shown = f"{_number(result.number)} {result.unit}".strip()
    elif result.flag is not None:
        shown = "yes" if result.flag else "no"
    elif result.grade is not None:
        shown = result.grade.value
    else:
        shown = "recorded"
    if result.body_site:
        shown += f" ({result.body_site})"
    return Evidence(
        label=result.source.display or result.measure.value,
        value=shown,
        reference=result.source.reference,
        when=result.effective,
    )


def diagnosis_evidence(fact: DiagnosisFact) -> Evidence:
    parts = [fact.code_display or fact.diagnosis.value, "active" if fact.active else "inactive"]
    if fact.onset is not None:
        parts.append(f"onset {fact.onset.isoformat()}")
    return Evidence(
        label=fact.source.display or "Diagnosis",
        value=", ".join(parts),
        reference=fact.source.reference,
        when=fact.onset or fact.recorded,
    )


def derived_evidence(
    label: str,
    value: str,
    reference: str,
    when: date | None,
    also_references: tuple[str, ...] = (),
) -> Evidence:
    """A value the engine computed from facts (a duration, a score); cites the source(s) its
    value and date come from."""
    return Evidence(
        label=label,
        value=value,
        reference=reference,
        when=when,
        also_references=tuple(r for r in also_references if r and r != reference),
    )


def span_evidence(
    label: str, value: str, span: Period, cited: Sequence[MedicationExposure]
) -> Evidence:
    """A time on treatment over ``span``, dated from its first day and citing ``cited``: the
    orders whose dates bound it (``therapy.span_sources``; two when the span is an overlap)."""
    references = list(dict.fromkeys(e.source.reference for e in cited))
    return derived_evidence(
        label, value, references[0] if references else "", span.start, tuple(references[1:])
    )


def number_text(value: float) -> str:
    return _number(value)
