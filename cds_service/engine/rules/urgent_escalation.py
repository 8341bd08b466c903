"""Rule urgent-escalation: rapidly progressive ILD.

When: ILD progresses rapidly, in a patient with an IIM diagnosis or a positive myositis-specific
      antibody (e.g. anti-MDA5 in clinically amyopathic DM, often not yet coded as myositis):
      - FVC % predicted has fallen by at least ``fvc_relative_drop_percent`` (relative) between
        two results at most ``fvc_drop_window_weeks`` apart, the later one current
        (within ``fresh_labs_weeks``); or
      - the latest ``ild-progression`` reading is "yes", current, and dated within
        ``rp_ild_onset_weeks`` of the ILD's onset (the ILD Condition's onset, else the ILD's
        first evidence: the earliest ILD Condition recorded date or ILD progression reading).
      Slower progression is lung activity for the regular escalation cards, not this card.
Then: a critical finding, whatever the time on first line and whichever drugs were used:
      urgent combination therapy. Options are ILD-directed agents the patient is not on and
      has not had for its trial window (nor of the same line and class as one given now),
      subtype-ordered (anti-MDA5: calcineurin inhibitor, IV cyclophosphamide, tofacitinib;
      anti-synthetase: CNI, MMF, rituximab, CYC), the first recommended; none left: the rescue
      options in the reason, no order. Never gated, never suppressed.
Reference: docs/clinical-logic.md, "urgent-escalation" and "Which agent a card recommends".
"""

from __future__ import annotations

from datetime import date, timedelta

from cds_service.engine.activity import reading_evidence
from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import MYOSITIS_SPECIFIC_ANTIBODIES, Diagnosis, Measure
from cds_service.engine.evidence import (
    antibody_evidence,
    derived_evidence,
    diagnosis_evidence,
    measure_evidence,
)
from cds_service.engine.facts import MeasureResult
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.readings import (
    FvcReading,
    fvc_series,
    fvc_value,
    lab_cutoff,
    measures_until,
)
from cds_service.engine.rule import FindingSpec
from cds_service.engine.rules.escalation import dedupe, options_from
from cds_service.engine.subtype import URGENT_ILD_AGENTS, URGENT_ILD_DEFAULT

RULE_ID = "urgent-escalation"
RULE_VERSION = "2.1.0"
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
    """ILD progression read "yes", current, within ``rp_ild_onset_weeks`` of the ILD's onset."""
    facts, thresholds, today = assessment.facts, assessment.thresholds, assessment.today
    readings = [
        m for m in measures_until(facts, Measure.ILD_PROGRESSION, today) if m.flag is not None
    ]
    if not readings or readings[-1].flag is not True:
        return ()
    latest = readings[-1]
    if latest.effective < lab_cutoff(thresholds, today):
        return ()
    onset, onset_row = _ild_onset(assessment, readings)
    if latest.effective - onset > timedelta(weeks=thresholds.rp_ild_onset_weeks):
        return ()
    weeks = (latest.effective - onset).days // 7
    return (
        derived_evidence(
            "ILD progression since onset",
            f"within {weeks} weeks of onset ({onset.isoformat()})",
            latest.source.reference,
            latest.effective,
        ),
        measure_evidence(latest),
        *onset_row,
    )


def _ild_onset(
    assessment: Assessment, readings: list[MeasureResult]
) -> tuple[date, tuple[Evidence, ...]]:
    """The ILD's onset: the earliest ILD Condition onset, else its first evidence."""
    conditions = [
        d for d in assessment.facts.diagnoses if d.diagnosis is Diagnosis.INTERSTITIAL_LUNG_DISEASE
    ]
    onsets = [d for d in conditions if d.onset is not None and d.onset <= assessment.today]
    if onsets:
        first = min(onsets, key=lambda d: d.onset or date.max)
        return first.onset or date.max, (diagnosis_evidence(first),)
    recorded = [d for d in conditions if d.recorded is not None and d.recorded <= assessment.today]
    candidates: list[tuple[date, Evidence]] = [
        (d.recorded or date.max, diagnosis_evidence(d)) for d in recorded
    ]
    candidates.append((readings[0].effective, measure_evidence(readings[0])))
    day, row = min(candidates, key=lambda c: c[0])
    return day, (row,)


def _fvc_drop(assessment: Assessment) -> tuple[Evidence, ...]:
    """The steepest relative FVC fall between two results at most ``fvc_drop_window_weeks``
    apart, the later one current."""
    thresholds = assessment.thresholds
    series = fvc_series(assessment.facts, assessment.today)
    cutoff = lab_cutoff(thresholds, assessment.today)
    window = timedelta(weeks=thresholds.fvc_drop_window_weeks)
    steepest: tuple[float, FvcReading, FvcReading] | None = None
    for later in series:
        if later.effective < cutoff:
            continue
        for earlier in series:
            if not (earlier.effective < later.effective <= earlier.effective + window):
                continue
            if fvc_value(earlier) <= 0:
                continue
            drop = (fvc_value(earlier) - fvc_value(later)) / fvc_value(earlier) * 100.0
            if steepest is None or drop > steepest[0]:
                steepest = (drop, earlier, later)
    if steepest is None or round(steepest[0], 6) < thresholds.fvc_relative_drop_percent:
        return ()
    drop, earlier, later = steepest
    return (
        derived_evidence(
            "FVC % predicted, relative fall",
            f"{drop:.0f}% in {(later.effective - earlier.effective).days // 7} weeks",
            later.source.reference,
            later.effective,
        ),
        reading_evidence(later),
        reading_evidence(earlier),
    )
