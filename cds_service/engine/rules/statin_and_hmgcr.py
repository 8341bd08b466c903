"""Rule statin-and-hmgcr.

When: anti-HMGCR antibody is positive (latest result) and a statin is still given.
Then: a critical finding: stop the statin (each active statin record is cited and offered for
      stopping); the finding suppresses nothing (contract.md §2).
Reference: clinical-reference.md §2.2 (drug or toxic myopathy) and §2.4 (anti-HMGCR IMNM).
"""

from __future__ import annotations

from datetime import date

from cds_service.engine.concepts import Antibody, AntibodyStatus, DrugClass
from cds_service.engine.evidence import antibody_evidence, medication_evidence
from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import Finding, FindingCode, Severity
from cds_service.engine.thresholds import Thresholds

RULE_ID = "statin-and-hmgcr"
RULE_VERSION = "1.0.0"
SECTION = "clinical-reference.md §2.4"


def evaluate(facts: PatientFacts, thresholds: Thresholds, today: date) -> tuple[Finding, ...]:
    del thresholds, today
    results = facts.antibody_results(Antibody.HMGCR)
    if not results or results[-1].status is not AntibodyStatus.POSITIVE:
        return ()
    statins = [m for m in facts.medications if m.drug_class is DrugClass.STATIN and m.active]
    if not statins:
        return ()
    evidence = (antibody_evidence(results[-1]), *(medication_evidence(m) for m in statins))
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
