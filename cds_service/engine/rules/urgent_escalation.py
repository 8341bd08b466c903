"""Rule urgent-escalation: rapidly progressive ILD.

When: ILD progresses rapidly — the latest current ``ild-progression`` reading is true (within
      ``fresh_labs_weeks``), or FVC % predicted has fallen by at least
      ``fvc_relative_drop_percent`` (relative) from a value at most ``fvc_drop_window_weeks``
      before the latest current FVC — in a patient with an IIM diagnosis or a positive
      myositis-specific antibody (e.g. anti-MDA5 in clinically amyopathic DM, often not yet
      coded as myositis).
Then: a critical finding, whatever the time on first line and whichever drugs were used:
      urgent combination therapy. Options are ILD-directed agents the patient is not on and
      has not had for its trial window (nor of the same line and class as one given now),
      subtype-ordered (anti-MDA5: calcineurin inhibitor, IV cyclophosphamide, tofacitinib;
      anti-synthetase: CNI, MMF, rituximab, CYC), the first recommended; none left: the rescue
      options in the reason, no order. Never gated, never suppressed.
Reference: docs/clinical-logic.md, "urgent-escalation" and "Which agent a card recommends".
"""

from __future__ import annotations

from datetime import timedelta

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import MYOSITIS_SPECIFIC_ANTIBODIES, Analyte, Measure
from cds_service.engine.evidence import (
    antibody_evidence,
    derived_evidence,
    lab_evidence,
    measure_evidence,
)
from cds_service.engine.facts import LabResult, MeasureResult
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.readings import current_measures, lab_cutoff
from cds_service.engine.rule import FindingSpec
from cds_service.engine.rules.escalation import dedupe, options_from
from cds_service.engine.subtype import URGENT_ILD_AGENTS, URGENT_ILD_DEFAULT

RULE_ID = "urgent-escalation"
RULE_VERSION = "1.1.0"
REASON = "Rapidly progressive ILD: urgent combination immunosuppression is needed."
RESCUE_REASON = (
    "Rapidly progressive ILD, no agent left to offer: consider plasma exchange, "
    "haemoperfusion, ECMO, lung transplant."
)
SECTION = "urgent-escalation"
FINDINGS = (
    FindingSpec(
        FindingCode.URGENT_ESCALATION, "Urgent escalation: rapidly progressive ILD", rank=10
    ),
)


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    antibodies = assessment.positive(*MYOSITIS_SPECIFIC_ANTIBODIES)
    if not assessment.has_iim and not antibodies:
        return ()
    triggers = (*_ild_progression(assessment), *_fvc_drop(assessment))
    if not triggers:
        return ()
    subtype = assessment.subtype
    agents = URGENT_ILD_AGENTS.get(subtype.subtype, URGENT_ILD_DEFAULT)
    # Rule 18 (docs: "Which agent a card recommends"): the first agent of the subtype row the
    # exclusions leave; none left -> the rescue options in text, with no order.
    options = options_from(agents, assessment, f"rapidly progressive ILD; {subtype.rationale}")
    reason = REASON if options else RESCUE_REASON
    evidence = dedupe(
        (
            *triggers,
            *assessment.diagnosis_evidence,
            *subtype.evidence,
            *(antibody_evidence(a) for a in antibodies),
        )
    )
    return (
        Finding(
            code=FindingCode.URGENT_ESCALATION,
            severity=Severity.CRITICAL,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason=reason,
            evidence=evidence,
            reference_section=SECTION,
            options=options,
        ),
    )


def _ild_progression(assessment: Assessment) -> tuple[Evidence, ...]:
    series = current_measures(
        assessment.facts, Measure.ILD_PROGRESSION, assessment.thresholds, assessment.today
    )
    if series and series[-1].flag is True:
        return (measure_evidence(series[-1]),)
    return ()


def fvc_series(assessment: Assessment) -> tuple[LabResult | MeasureResult, ...]:
    """FVC % predicted from labs (LOINC 19870-5) and project measures, oldest first."""
    facts, today = assessment.facts, assessment.today
    labs = [r for r in facts.lab_series(Analyte.FVC_PERCENT_PREDICTED) if r.effective <= today]
    measures = [
        m
        for m in facts.measure_series(Measure.FVC_PERCENT_PREDICTED)
        if m.number is not None and m.effective <= today
    ]
    readings: list[LabResult | MeasureResult] = [*labs, *measures]
    return tuple(sorted(readings, key=lambda r: (r.effective, r.source.reference)))


def _value(reading: LabResult | MeasureResult) -> float:
    if isinstance(reading, LabResult):
        return reading.value
    return reading.number or 0.0


def _row(reading: LabResult | MeasureResult) -> Evidence:
    return lab_evidence(reading) if isinstance(reading, LabResult) else measure_evidence(reading)


def _fvc_drop(assessment: Assessment) -> tuple[Evidence, ...]:
    thresholds = assessment.thresholds
    series = fvc_series(assessment)
    if not series or series[-1].effective < lab_cutoff(thresholds, assessment.today):
        return ()
    latest = series[-1]
    window = timedelta(weeks=thresholds.fvc_drop_window_weeks)
    earlier = [
        r
        for r in series[:-1]
        if r.effective < latest.effective
        and latest.effective - r.effective <= window
        and _value(r) > 0
    ]
    if not earlier:
        return ()
    peak = max(earlier, key=lambda r: (_value(r), r.effective))
    drop = (_value(peak) - _value(latest)) / _value(peak) * 100.0
    if round(drop, 6) < thresholds.fvc_relative_drop_percent:
        return ()
    return (
        derived_evidence(
            "FVC % predicted, relative fall",
            f"{drop:.0f}% in {(latest.effective - peak.effective).days // 7} weeks",
            latest.source.reference,
            latest.effective,
        ),
        _row(latest),
        _row(peak),
    )
