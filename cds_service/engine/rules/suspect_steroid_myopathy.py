"""Rule suspect-steroid-myopathy.

When all hold (an IIM diagnosis):
  - a glucocorticoid is given now, at >= ``steroid_high_dose_mg_per_day`` mg/day
    prednisone-equivalent for >= ``steroid_high_dose_weeks`` weeks, or at any dose for
    >= ``steroid_any_dose_weeks`` weeks, within the current course (switches between
    glucocorticoids and tapering periods are one course);
  - MMT-8 (or CMAS) has fallen by >= ``steroid_strength_drop_percent`` % of the scale maximum
    from its best value since the course started, the latest value being current;
  - the latest current CK is <= ULN, or lower than the highest current CK before it while
    itself at most borderline (<= ``borderline_uln_ratio`` x ULN: a CK falling from 20x to 15x
    ULN is still active myositis);
  - the latest current MRI shows no STIR edema (an edema reading of "no") and is dated on or
    after the start of the glucocorticoid course (an older MRI says nothing about the weakness
    that developed on glucocorticoids);
  - neck-flexor strength is not falling (falling neck flexors point to active myositis).
Then: a warning finding: consider a glucocorticoid taper rather than escalation; it suppresses
      escalate-* (contract.md §2). The ProDERM deterioration definition is not required.
Reference: clinical-reference.md §2.2 (glucocorticoid myopathy firing rule).
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import STRENGTH_SCALE_MAXIMUM, Analyte, DrugClass, Measure
from cds_service.engine.date_arithmetic import Period, intersect_periods, longest
from cds_service.engine.evidence import (
    derived_evidence,
    lab_evidence,
    measure_evidence,
    medication_evidence,
    number_text,
)
from cds_service.engine.facts import MedicationExposure
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.readings import current_labs, lab_cutoff, measures_until
from cds_service.engine.rule import FindingSpec
from cds_service.engine.therapy import agent_periods, is_given_on

RULE_ID = "suspect-steroid-myopathy"
RULE_VERSION = "1.1.0"
SECTION = "suspect-steroid-myopathy"
FINDINGS = (
    FindingSpec(FindingCode.SUSPECT_STEROID_MYOPATHY, "Suspect glucocorticoid myopathy", rank=40),
)


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    if not assessment.has_iim:
        return ()
    course = _glucocorticoid_course(assessment)
    if course is None:
        return ()
    period, exposures, dose_evidence = course
    checks = (
        _strength_fall(assessment, period),
        _ck_normal_or_falling(assessment),
        _mri_without_edema(assessment, period),
    )
    if any(c is None for c in checks) or _neck_flexors_falling(assessment):
        return ()
    evidence = (
        dose_evidence,
        *(medication_evidence(e) for e in exposures),
        *(row for rows in checks if rows is not None for row in rows),
        *assessment.diagnosis_evidence,
    )
    return (
        Finding(
            code=FindingCode.SUSPECT_STEROID_MYOPATHY,
            severity=Severity.WARNING,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason="Weakness worsening on glucocorticoids with quiet muscle: consider a taper.",
            evidence=evidence,
            reference_section=SECTION,
        ),
    )


def _glucocorticoid_course(
    assessment: Assessment,
) -> tuple[Period, tuple[MedicationExposure, ...], Evidence] | None:
    today, thresholds = assessment.today, assessment.thresholds
    steroids = [m for m in assessment.facts.medications if m.drug_class is DrugClass.GLUCOCORTICOID]
    if not any(is_given_on(m, today) for m in steroids):
        return None
    periods = agent_periods(steroids, today, thresholds.exposure_gap_days)
    current = next((p for p in periods if p.contains(today)), None)
    if current is None:
        return None
    in_course = tuple(m for m in steroids if m.start is not None and current.contains(m.start))
    high = [
        m
        for m in in_course
        if m.daily_dose_mg is not None
        and m.daily_dose_mg >= thresholds.steroid_high_dose_mg_per_day
    ]
    high_span = longest(
        intersect_periods(agent_periods(high, today, thresholds.exposure_gap_days), [current])
    )
    high_weeks = 0.0 if high_span is None else high_span.weeks
    reference = in_course[-1].source.reference if in_course else ""
    if high_weeks >= thresholds.steroid_high_dose_weeks:
        shown = (
            f"{number_text(round(high_weeks, 1))} weeks at >= "
            f"{number_text(thresholds.steroid_high_dose_mg_per_day)} mg/day"
        )
    elif current.weeks >= thresholds.steroid_any_dose_weeks:
        shown = f"{number_text(round(current.weeks, 1))} weeks on glucocorticoids"
    else:
        return None
    row = derived_evidence("Glucocorticoid exposure", shown, reference, current.start)
    return current, in_course, row


def _strength_fall(assessment: Assessment, course: Period) -> tuple[Evidence, ...] | None:
    activity = assessment.activity
    scale = activity.strength_scale
    if scale is None or not activity.strength_readings:
        return None
    since = [
        m
        for m in activity.strength_readings
        if m.effective >= course.start and m.number is not None
    ]
    latest = activity.strength_readings[-1]
    if (
        len(since) < 2
        or latest not in since
        or latest.effective < lab_cutoff(assessment.thresholds, assessment.today)
    ):
        return None
    best = max(since[:-1], key=lambda m: (m.number or 0.0, m.effective))
    fall = ((best.number or 0.0) - (latest.number or 0.0)) / STRENGTH_SCALE_MAXIMUM[scale] * 100
    if round(fall, 6) < assessment.thresholds.steroid_strength_drop_percent:
        return None
    return (measure_evidence(latest), measure_evidence(best))


def _ck_normal_or_falling(assessment: Assessment) -> tuple[Evidence, ...] | None:
    """Latest current CK <= ULN, or <= borderline and below the highest current CK before it."""
    thresholds = assessment.thresholds
    series = current_labs(assessment.facts, Analyte.CK, thresholds, assessment.today)
    if not series:
        return None
    latest = series[-1]
    ratio = latest.times_upper_limit
    if ratio is None or ratio > thresholds.borderline_uln_ratio:
        return None
    if ratio <= 1.0:
        return (lab_evidence(latest),)
    earlier = [r for r in series[:-1] if r.effective < latest.effective]
    if earlier:
        peak = max(earlier, key=lambda r: (r.value, r.effective))
        if latest.value < peak.value:
            return (lab_evidence(latest), lab_evidence(peak))
    return None


def _mri_without_edema(assessment: Assessment, course: Period) -> tuple[Evidence, ...] | None:
    """The latest current edema reading is "no" and dates from the glucocorticoid course."""
    mri = assessment.activity.mri
    if mri is None or not mri.edema_absent or mri.edema is None:
        return None
    if mri.edema.effective < course.start:
        return None
    return (measure_evidence(mri.edema),)


def _neck_flexors_falling(assessment: Assessment) -> bool:
    series = [
        m
        for m in measures_until(assessment.facts, Measure.NECK_FLEXOR_STRENGTH, assessment.today)
        if m.number is not None
    ]
    return len(series) >= 2 and (series[-1].number or 0.0) < (series[-2].number or 0.0)
