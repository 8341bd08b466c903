"""Rule malignancy-screening.

When: a cancer-associated antibody (anti-TIF1γ, anti-NXP2 or anti-SAE; latest result positive)
      in a known adult (at least ``adult_age_years`` old on the evaluation date; an unknown
      birth date is not taken as adult — workup-incomplete asks for it) with an adult
      dermatomyositis diagnosis, and the disease is refractory (the refractory gate).
Then: a warning finding: re-screen for malignancy (before escalating, alongside it when the
      disease is active); it suppresses nothing.
Reference: docs/clinical-logic.md "malignancy-screening".
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import CANCER_ASSOCIATED_ANTIBODIES, Diagnosis
from cds_service.engine.evidence import antibody_evidence
from cds_service.engine.findings import Finding, FindingCode, Severity, Workup
from cds_service.engine.rule import FindingSpec

RULE_ID = "malignancy-screening"
RULE_VERSION = "1.2.0"
SECTION = "malignancy-screening"
FINDINGS = (FindingSpec(FindingCode.MALIGNANCY_SCREENING, "Re-screen for malignancy", rank=80),)

ADULT_DERMATOMYOSITIS: frozenset[Diagnosis] = frozenset(
    {Diagnosis.DERMATOMYOSITIS, Diagnosis.DERMATOMYOSITIS_NEOPLASTIC}
)


def needs_birth_date(assessment: Assessment) -> bool:
    """The rule would apply but the age is unknown, so the adults-only rule cannot decide."""
    return assessment.age_unknown and _applies_but_for_age(assessment)


def _applies_but_for_age(assessment: Assessment) -> bool:
    dermatomyositis = [d for d in assessment.iim_diagnoses if d.diagnosis in ADULT_DERMATOMYOSITIS]
    return (
        assessment.gate.refractory
        and bool(dermatomyositis)
        and bool(assessment.positive(*CANCER_ASSOCIATED_ANTIBODIES))
    )


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    if not assessment.known_adult:
        return ()
    if not _applies_but_for_age(assessment):
        return ()
    antibodies = assessment.positive(*CANCER_ASSOCIATED_ANTIBODIES)
    return (
        Finding(
            code=FindingCode.MALIGNANCY_SCREENING,
            severity=Severity.WARNING,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason="Cancer-associated antibody in refractory adult dermatomyositis: re-screen.",
            evidence=(
                *(antibody_evidence(a) for a in antibodies),
                *assessment.diagnosis_evidence,
                *assessment.gate.first_line_evidence[:1],
                *assessment.activity.weakness,
                *assessment.activity.activity,
            ),
            reference_section=SECTION,
            workup=(Workup.MALIGNANCY_SCREEN,),
        ),
    )
