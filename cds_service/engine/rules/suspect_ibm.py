"""Rule suspect-ibm.

When: an IIM diagnosis, the patient known to be at least ``adult_age_years`` old (an unknown
      birth date never counts as adult: when a trigger holds without a known age,
      workup-incomplete asks for the birth date instead), and one of:
      anti-cN1A positive (latest result); rimmed vacuoles on biopsy; an active inclusion body
      myositis Condition; or finger-flexor weakness together with no response to at least one
      immunosuppressant (a line agent given for ``refractory_weeks`` while weakness persists
      and the TIS shows no improvement) — the EULAR/ACR classification tree.
Then: a warning finding: IBM is not treated with immunosuppression; it suppresses escalate-*.
      Supporting clues are shown but never fire the card alone: age > ``ibm_supporting_age_years``,
      asymmetric weakness, dysphagia, CK at most ``ibm_ck_moderate_uln_ratio`` x ULN.
Reference: clinical-reference.md §2.2 (IBM firing rule), §2.4 (IBM row), §3.6.
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import Analyte, Antibody, Diagnosis, Measure
from cds_service.engine.evidence import (
    antibody_evidence,
    derived_evidence,
    diagnosis_evidence,
    lab_evidence,
    measure_evidence,
    number_text,
)
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity, Workup
from cds_service.engine.readings import BIOPSY_MEASURES, flag_is_set, labs_until
from cds_service.engine.rule import FindingSpec

RULE_ID = "suspect-ibm"
RULE_VERSION = "1.1.0"
SECTION = "suspect-ibm"
FINDINGS = (FindingSpec(FindingCode.SUSPECT_IBM, "Suspect inclusion body myositis", rank=30),)


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    if not assessment.has_iim:
        return ()
    if not assessment.known_adult:
        return ()
    triggers = _triggers(assessment)
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
    return assessment.has_iim and assessment.age_unknown and bool(_triggers(assessment))


def _triggers(assessment: Assessment) -> list[Evidence]:
    facts, today = assessment.facts, assessment.today
    found: list[Evidence] = [antibody_evidence(a) for a in assessment.positive(Antibody.CN1A)]
    vacuoles = flag_is_set(facts, Measure.BIOPSY_RIMMED_VACUOLES, today)
    if vacuoles is not None:
        found.append(measure_evidence(vacuoles))
    found.extend(
        diagnosis_evidence(d)
        for d in facts.diagnoses
        if d.diagnosis is Diagnosis.INCLUSION_BODY_MYOSITIS and d.active
    )
    finger = flag_is_set(facts, Measure.FINGER_FLEXOR_WEAKNESS, today)
    no_response = _no_response(assessment)
    if finger is not None and no_response:
        found.extend((measure_evidence(finger), *no_response))
    return found


def _no_response(assessment: Assessment) -> list[Evidence]:
    """Weakness persisting after a line agent given for ``refractory_weeks`` (no TIS gain)."""
    activity, gate = assessment.activity, assessment.gate
    if not activity.weakness_persists or gate.improving:
        return []
    weeks = assessment.thresholds.refractory_weeks
    courses = [
        c for c in assessment.therapy.courses if c.line is not None and c.longest_weeks >= weeks
    ]
    if not courses:
        return []
    course = courses[0]
    return [
        derived_evidence(
            f"Time on {course.agent.value}",
            f"{number_text(round(course.longest_weeks, 1))} weeks without response",
            course.exposures[-1].source.reference,
            course.exposures[0].start,
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
