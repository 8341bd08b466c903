"""Rule suspect-hypothyroidism.

When: an IIM diagnosis and either the latest TSH is above the high end of the result's own
      reference range, or an active hypothyroidism Condition is recorded.
Then: a warning finding: hypothyroidism may explain or add to the weakness (CK can be raised in
      hypothyroidism); it suppresses escalate-* (contract.md §2).
Reference: clinical-reference.md §2.2 (hypothyroidism) and §3.1.
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import Analyte, Diagnosis
from cds_service.engine.evidence import diagnosis_evidence, lab_evidence
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.readings import labs_until

RULE_ID = "suspect-hypothyroidism"
RULE_VERSION = "1.0.0"
SECTION = "clinical-reference.md §2.2"


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    if not assessment.has_iim:
        return ()
    facts = assessment.facts
    triggers: list[Evidence] = []
    tsh = labs_until(facts, Analyte.TSH, assessment.today)
    if tsh and tsh[-1].reference_high is not None and tsh[-1].value > tsh[-1].reference_high:
        triggers.append(lab_evidence(tsh[-1]))
    triggers.extend(
        diagnosis_evidence(d)
        for d in facts.diagnoses
        if d.diagnosis is Diagnosis.HYPOTHYROIDISM and d.active
    )
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
