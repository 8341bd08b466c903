"""Rule suspect-hypothyroidism.

When: an IIM diagnosis and either
      - a current TSH (within ``fresh_labs_weeks``) exists and the latest one is above the high
        end of the result's own reference range — a current TSH decides: when it is normal, an
        active hypothyroidism Condition (treated hypothyroidism) does not fire the rule; or
      - no current TSH exists and an active hypothyroidism Condition is recorded.
      A high TSH older than ``fresh_labs_weeks`` alone does not fire: it is a work-up gap
      (repeat the TSH, workup-incomplete).
Then: a warning finding: hypothyroidism may explain or add to the weakness (CK can be raised in
      hypothyroidism); it suppresses muscle-directed escalate-* (contract.md §2).
Reference: clinical-reference.md §2.2 (hypothyroidism) and §3.1, §3.2 (T_fresh_labs).
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import Analyte, Diagnosis
from cds_service.engine.evidence import diagnosis_evidence, lab_evidence
from cds_service.engine.facts import LabResult
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.readings import current_labs, labs_until
from cds_service.engine.rule import FindingSpec

RULE_ID = "suspect-hypothyroidism"
RULE_VERSION = "1.1.0"
SECTION = "suspect-hypothyroidism"
FINDINGS = (FindingSpec(FindingCode.SUSPECT_HYPOTHYROIDISM, "Suspect hypothyroidism", rank=50),)


def _high(result: LabResult) -> bool:
    return result.reference_high is not None and result.value > result.reference_high


def current_tsh(assessment: Assessment) -> LabResult | None:
    """The latest TSH within ``fresh_labs_weeks`` that can be judged (it has a range)."""
    series = [
        r
        for r in current_labs(
            assessment.facts, Analyte.TSH, assessment.thresholds, assessment.today
        )
        if r.reference_high is not None
    ]
    return series[-1] if series else None


def stale_high_tsh(assessment: Assessment) -> LabResult | None:
    """The latest TSH when it is high but not current (a repeat TSH is needed)."""
    series = labs_until(assessment.facts, Analyte.TSH, assessment.today)
    if not series or current_tsh(assessment) is not None or not _high(series[-1]):
        return None
    return series[-1]


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    if not assessment.has_iim:
        return ()
    conditions = [
        diagnosis_evidence(d)
        for d in assessment.facts.diagnoses
        if d.diagnosis is Diagnosis.HYPOTHYROIDISM and d.active
    ]
    tsh = current_tsh(assessment)
    triggers: list[Evidence]
    if tsh is not None:
        triggers = [lab_evidence(tsh), *conditions] if _high(tsh) else []
    else:
        triggers = conditions
    if not triggers:
        return ()
    return (
        Finding(
            code=FindingCode.SUSPECT_HYPOTHYROIDISM,
            severity=Severity.WARNING,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason="Hypothyroidism may explain or add to the weakness: treat it before escalating.",
            evidence=(*triggers, *assessment.diagnosis_evidence),
            reference_section=SECTION,
        ),
    )
