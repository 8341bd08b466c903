"""Rule suspect-hypothyroidism.

When: an IIM diagnosis (the gate is not waited for) and either
      - the latest current TSH (within ``fresh_labs_weeks``, with a reference range) is above
        its range, with or without a hypothyroidism Condition; or
      - an active hypothyroidism Condition is recorded, unless the latest current TSH is within
        its reference range (then the thyroid is treated and the card is not due). With no
        current TSH the card also asks for one.
      A high TSH older than ``fresh_labs_weeks`` alone does not fire: it is a work-up gap
      (repeat the TSH, workup-incomplete).
Then: a warning finding: hypothyroidism may explain or add to the weakness (CK can be raised in
      hypothyroidism); it suppresses muscle-directed escalate-*.
Reference: docs/clinical-logic.md "suspect-hypothyroidism".
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import Analyte, Diagnosis
from cds_service.engine.evidence import diagnosis_evidence, lab_evidence
from cds_service.engine.facts import LabResult
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity, Workup
from cds_service.engine.readings import current_labs, labs_until
from cds_service.engine.rule import FindingSpec

RULE_ID = "suspect-hypothyroidism"
RULE_VERSION = "2.0.1"
SECTION = "suspect-hypothyroidism"
FINDINGS = (FindingSpec(FindingCode.SUSPECT_HYPOTHYROIDISM, "Suspect hypothyroidism", rank=50),)


def _high(result: LabResult) -> bool:
    return result.reference_high is not None and result.value > result.reference_high


def _within_range(result: LabResult) -> bool:
    low, high = result.reference_low, result.reference_high
    return high is not None and result.value <= high and (low is None or result.value >= low)


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
    if tsh is not None and _high(tsh):
        triggers = [lab_evidence(tsh), *conditions]
    elif conditions and (tsh is None or not _within_range(tsh)):
        triggers = [*conditions, *([] if tsh is None else [lab_evidence(tsh)])]
    else:
        triggers = []
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
            workup=(Workup.TSH,) if tsh is None else (),
        ),
    )
