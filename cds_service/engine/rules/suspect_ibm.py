"""Rule suspect-ibm.

When: an IIM diagnosis (a coded inclusion body myositis is one; the gate is not waited for) and
      - an active inclusion body myositis Condition (ICD-10-CM G72.41, SNOMED CT 72315009): the
        clinician's diagnosis holds by itself, at any age; or
      - in a patient known to be at least ``adult_age_years`` old (an unknown birth date never
        counts as adult: workup-incomplete asks for it instead), one of: anti-cN1A positive
        (latest result); rimmed vacuoles on biopsy; or finger-flexor weakness together with no
        response to at least one immunosuppressant (the EULAR/ACR classification tree). No
        response: weakness persisting, with no TIS improvement, after a line agent given for
        ``refractory_weeks``, glucocorticoids alone counting (one course across switches
        between glucocorticoids).
Then: a warning finding: IBM is not treated with immunosuppression; it suppresses
      muscle-directed escalate-*. Supporting clues are shown but never fire the card alone:
      age > ``ibm_supporting_age_years``, asymmetric weakness, dysphagia, CK at most
      ``ibm_ck_moderate_uln_ratio`` x ULN.
Reference: docs/clinical-logic.md "suspect-ibm".
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import Analyte, Antibody, Diagnosis, DrugClass, Measure
from cds_service.engine.date_arithmetic import Period, longest
from cds_service.engine.evidence import (
    antibody_evidence,
    derived_evidence,
    diagnosis_evidence,
    lab_evidence,
    measure_evidence,
    number_text,
    span_evidence,
)
from cds_service.engine.facts import MedicationExposure
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity, Workup
from cds_service.engine.readings import BIOPSY_MEASURES, flag_is_set, labs_until
from cds_service.engine.rule import FindingSpec
from cds_service.engine.therapy import FIRST_LINE_GLUCOCORTICOIDS, agent_periods, span_sources

RULE_ID = "suspect-ibm"
RULE_VERSION = "2.1.0"
SECTION = "suspect-ibm"
FINDINGS = (FindingSpec(FindingCode.SUSPECT_IBM, "Suspect inclusion body myositis", rank=30),)


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    if not assessment.has_iim:
        return ()
    triggers = [*_coded(assessment), *(_triggers(assessment) if assessment.known_adult else [])]
    if not triggers:
        return ()
    biopsy_done = any(m.measure in BIOPSY_MEASURES for m in assessment.facts.measures)
    return (
        Finding(
            code=FindingCode.SUSPECT_IBM,
            severity=Severity.WARNING,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason="Features of inclusion body myositis: review the diagnosis before escalating.",
            evidence=(*triggers, *_supporting(assessment), *assessment.diagnosis_evidence),
            reference_section=SECTION,
            workup=() if biopsy_done else (Workup.MUSCLE_BIOPSY,),
        ),
    )


def needs_birth_date(assessment: Assessment) -> bool:
    """An IBM trigger holds but the age is unknown, so the adults-only rule cannot decide."""
    return (
        assessment.has_iim
        and assessment.age_unknown
        and not _coded(assessment)
        and bool(_triggers(assessment))
    )


def _coded(assessment: Assessment) -> list[Evidence]:
    return [
        diagnosis_evidence(d)
        for d in assessment.facts.diagnoses
        if d.diagnosis is Diagnosis.INCLUSION_BODY_MYOSITIS and d.active
    ]


def _triggers(assessment: Assessment) -> list[Evidence]:
    facts, today = assessment.facts, assessment.today
    found: list[Evidence] = [antibody_evidence(a) for a in assessment.positive(Antibody.CN1A)]
    vacuoles = flag_is_set(facts, Measure.BIOPSY_RIMMED_VACUOLES, today)
    if vacuoles is not None:
        found.append(measure_evidence(vacuoles))
    finger = flag_is_set(facts, Measure.FINGER_FLEXOR_WEAKNESS, today)
    no_response = _no_response(assessment)
    if finger is not None and no_response:
        found.extend((measure_evidence(finger), *no_response))
    return found


def _no_response(assessment: Assessment) -> list[Evidence]:
    """Weakness persisting, no TIS gain, after a line agent given for ``refractory_weeks``;
    glucocorticoids count as one agent across switches between them."""
    activity, gate = assessment.activity, assessment.gate
    if not activity.weakness_persists or gate.improving:
        return []
    weeks = assessment.thresholds.refractory_weeks
    trials: list[tuple[str, Period, tuple[MedicationExposure, ...]]] = [
        (course.agent.value, span, course.exposures)
        for course in assessment.therapy.courses
        if course.line is not None
        and course.agent not in FIRST_LINE_GLUCOCORTICOIDS
        and (span := longest(course.periods)) is not None
    ]
    steroids = [
        m
        for m in assessment.facts.medications
        if m.drug_class is DrugClass.GLUCOCORTICOID and m.start is not None
    ]
    span = longest(
        agent_periods(steroids, assessment.today, assessment.thresholds.exposure_gap_days)
    )
    if span is not None:
        in_span = tuple(m for m in steroids if m.start is not None and span.contains(m.start))
        trials.append(("glucocorticoids", span, in_span))
    long_enough = [t for t in trials if t[1].weeks >= weeks and t[2]]
    if not long_enough:
        return []
    name, trial, exposures = long_enough[0]
    return [
        span_evidence(
            f"Time on {name}",
            f"{number_text(round(trial.weeks, 1))} weeks without response",
            trial,
            span_sources(trial, exposures, assessment.today),
        ),
        *activity.weakness,
    ]


def _supporting(assessment: Assessment) -> list[Evidence]:
    facts, today, thresholds = assessment.facts, assessment.today, assessment.thresholds
    clues: list[Evidence] = []
    if assessment.age is not None and assessment.age > thresholds.ibm_supporting_age_years:
        clues.append(
            derived_evidence("Age", f"{assessment.age} years", facts.patient_reference, None)
        )
    for measure in (Measure.ASYMMETRIC_WEAKNESS, Measure.DYSPHAGIA):
        reading = flag_is_set(facts, measure, today)
        if reading is not None:
            clues.append(measure_evidence(reading))
    ck = labs_until(facts, Analyte.CK, today)
    ratio = ck[-1].times_upper_limit if ck else None
    if ck and ratio is not None and ratio <= thresholds.ibm_ck_moderate_uln_ratio:
        clues.append(lab_evidence(ck[-1]))
    return clues
