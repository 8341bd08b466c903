"""Rule suspect-steroid-myopathy.

When all hold (an IIM diagnosis; the gate is not waited for):
  - a glucocorticoid is given today, and over the current course (switches between
    glucocorticoids and tapering periods are one course) it was given at
    >= ``steroid_high_dose_mg_per_day`` mg/day prednisone-equivalent for
    >= ``steroid_high_dose_weeks`` weeks in total (any weeks of the course, not necessarily the
    last), or at any dose for >= ``steroid_any_dose_weeks`` weeks;
  - MMT-8 (or CMAS) has fallen by >= ``steroid_strength_drop_percent`` % of the scale maximum
    from its best value since the course started, the latest value being current;
  - the latest current CK is <= ULN, or falling: lower than the CK before it and at most
    ``steroid_ck_fall_fraction`` (half) of the highest CK since the course started (the CK that
    led to the course, at most ``steroid_ck_baseline_days`` before its first dose, counts as
    its first), however far above ULN it still is;
  - the latest current MRI shows no STIR edema (an edema reading of "no") and is dated on or
    after the start of the glucocorticoid course (an older MRI says nothing about the weakness
    that developed on glucocorticoids);
  - neck-flexor strength is not falling (falling neck flexors point to active myositis).
Then: a warning finding: consider a glucocorticoid taper rather than escalation; the card shows
      the CK series of the course. It suppresses muscle-directed escalate-*; a falling CK above
      ULN is this rule's own premise, so it is no activity item for escalation while the rule
      fires (an escalation for lung or skin disease stays, showing only that organ's activity).
      The ProDERM deterioration definition is not required.
Reference: docs/clinical-logic.md "suspect-steroid-myopathy".
"""

from __future__ import annotations

from datetime import timedelta

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import STRENGTH_SCALE_MAXIMUM, Analyte, DrugClass, Measure
from cds_service.engine.date_arithmetic import Period, intersect_periods, merge_periods
from cds_service.engine.evidence import (
    derived_evidence,
    lab_evidence,
    measure_evidence,
    medication_evidence,
    number_text,
)
from cds_service.engine.facts import MedicationExposure
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.readings import lab_cutoff, labs_until, measures_until
from cds_service.engine.rule import FindingSpec
from cds_service.engine.therapy import agent_periods, is_given_on

RULE_ID = "suspect-steroid-myopathy"
RULE_VERSION = "2.0.0"
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
        _ck_normal_or_falling(assessment, period),
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
            reason="Weakness worsening on glucocorticoids, CK normal or falling, no MRI edema: "
            "consider a taper.",
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
    high_spans = intersect_periods(_high_dose_periods(in_course, assessment), [current])
    high_weeks = sum(p.weeks for p in high_spans)
    reference = in_course[-1].source.reference if in_course else ""
    if high_weeks >= thresholds.steroid_high_dose_weeks:
        shown = (
            f"{number_text(round(high_weeks, 1))} weeks in this course at >= "
            f"{number_text(thresholds.steroid_high_dose_mg_per_day)} mg/day"
        )
    elif current.weeks >= thresholds.steroid_any_dose_weeks:
        shown = f"{number_text(round(current.weeks, 1))} weeks on glucocorticoids"
    else:
        return None
    row = derived_evidence("Glucocorticoid exposure", shown, reference, current.start)
    return current, in_course, row


def _high_dose_periods(
    exposures: tuple[MedicationExposure, ...], assessment: Assessment
) -> tuple[Period, ...]:
    """When the course was at >= ``steroid_high_dose_mg_per_day``: whole records at that dose,
    and the high-dose steps of a taper written as one request (each step at its own dose)."""
    today, thresholds = assessment.today, assessment.thresholds
    high = thresholds.steroid_high_dose_mg_per_day
    whole = [m for m in exposures if not m.dose_steps and (m.daily_dose_mg or 0.0) >= high]
    periods = list(agent_periods(whole, today, thresholds.exposure_gap_days))
    for exposure in exposures:
        last = min(exposure.end or today, today)
        periods.extend(
            Period(step.start, min(step.end or last, last))
            for step in exposure.dose_steps
            if step.daily_dose_mg >= high and step.start <= min(step.end or last, last)
        )
    return merge_periods(periods, thresholds.exposure_gap_days)


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


def _ck_normal_or_falling(assessment: Assessment, course: Period) -> tuple[Evidence, ...] | None:
    """The CK series of the course when its latest current value is <= ULN or falling.

    Falling: lower than the CK before it and at most ``steroid_ck_fall_fraction`` of the
    highest CK since the course started (no upper bound relative to ULN).
    """
    thresholds, today = assessment.thresholds, assessment.today
    series = labs_until(assessment.facts, Analyte.CK, today)
    if not series or series[-1].effective < lab_cutoff(thresholds, today):
        return None
    latest = series[-1]
    # The course's CK series: from the course start, with the CK that led to it (drawn at most
    # ``steroid_ck_baseline_days`` before the first dose) as its baseline.
    baseline_from = course.start - timedelta(days=thresholds.steroid_ck_baseline_days)
    in_course = [r for r in series if r.effective >= baseline_from]
    shown = tuple(lab_evidence(r) for r in (in_course or [latest]))
    ratio = latest.times_upper_limit
    if ratio is not None and ratio <= 1.0:
        return shown
    before = [r for r in series[:-1] if r.effective < latest.effective]
    if not in_course or not before or latest.value >= before[-1].value:
        return None  # no CK since the course began, or not lower than the one before it
    peak = max(r.value for r in in_course)
    if latest.value <= thresholds.steroid_ck_fall_fraction * peak:
        return shown
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
