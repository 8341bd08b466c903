"""Rule statin-and-hmgcr.

When: anti-HMGCR antibody is positive (the latest result dated up to today, within
      ``antibody_max_age_days`` when set — the same reading as every other rule) and a statin is
      still given today (an active record whose start is not after today and whose end, if any,
      is not before it; a statin stopped before today does not fire it). No gate: from the
      first day, refractory or not, with or without a coded IIM diagnosis.
Then: a critical finding: stop the statin (each active statin record is cited and offered for
      stopping); the finding suppresses nothing.
Reference: docs/clinical-logic.md "statin-and-hmgcr".
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment, latest_antibodies
from cds_service.engine.concepts import Antibody, AntibodyStatus, DrugClass
from cds_service.engine.evidence import antibody_evidence, medication_evidence
from cds_service.engine.findings import Finding, FindingCode, Severity
from cds_service.engine.rule import FindingSpec
from cds_service.engine.therapy import is_given_on

RULE_ID = "statin-and-hmgcr"
RULE_VERSION = "1.1.0"
SECTION = "statin-and-hmgcr"
FINDINGS = (FindingSpec(FindingCode.STATIN_AND_HMGCR, "Statin with anti-HMGCR myopathy", rank=20),)


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    facts, thresholds, today = assessment.facts, assessment.thresholds, assessment.today
    hmgcr = [
        a
        for a in latest_antibodies(facts, thresholds, today)
        if a.antibody is Antibody.HMGCR and a.status is AntibodyStatus.POSITIVE
    ]
    if not hmgcr:
        return ()
    statins = [
        m for m in facts.medications if m.drug_class is DrugClass.STATIN and is_given_on(m, today)
    ]
    if not statins:
        return ()
    evidence = (antibody_evidence(hmgcr[-1]), *(medication_evidence(m) for m in statins))
    return (
        Finding(
            code=FindingCode.STATIN_AND_HMGCR,
            severity=Severity.CRITICAL,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason="Anti-HMGCR positive while a statin is still given: stop the statin.",
            evidence=evidence,
            reference_section=SECTION,
            stop_references=tuple(m.source.reference for m in statins),
        ),
    )
