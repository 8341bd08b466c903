"""The clinical engine: PURE. Facts in, findings out; no I/O, no clock, no pydantic.

``evaluate(facts, thresholds, today)`` runs every patient-view rule on one ``Assessment`` and
applies the precedence of contract.md §2. ``assess`` exposes the intermediate picture (lines,
agents given, activity, subtype, gate) and ``evaluate_assessment`` the findings for it, so the
order hooks can reuse both without re-deriving them.
"""

from __future__ import annotations

from datetime import date

from cds_service.engine.assessment import Assessment, assess
from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import Finding
from cds_service.engine.precedence import apply_precedence, suppressing_codes
from cds_service.engine.rules import (
    activity_vs_damage,
    escalate_second_line,
    escalate_third_line,
    malignancy_screening,
    reassess_diagnosis,
    statin_and_hmgcr,
    suspect_hypothyroidism,
    suspect_ibm,
    suspect_steroid_myopathy,
    urgent_escalation,
    workup_incomplete,
)
from cds_service.engine.thresholds import Thresholds

__all__ = ["Assessment", "assess", "evaluate", "evaluate_assessment", "suppressing_codes"]

ASSESSMENT_RULES = (
    urgent_escalation,
    suspect_ibm,
    suspect_steroid_myopathy,
    suspect_hypothyroidism,
    escalate_second_line,
    escalate_third_line,
    malignancy_screening,
    reassess_diagnosis,
    activity_vs_damage,
    workup_incomplete,
)


def evaluate_assessment(assessment: Assessment) -> tuple[Finding, ...]:
    """All patient-view findings for an assessment, after precedence, in display order."""
    findings: list[Finding] = []
    findings.extend(
        statin_and_hmgcr.evaluate(assessment.facts, assessment.thresholds, assessment.today)
    )
    for rule in ASSESSMENT_RULES:
        findings.extend(rule.evaluate(assessment))
    return apply_precedence(findings)


def evaluate(facts: PatientFacts, thresholds: Thresholds, today: date) -> tuple[Finding, ...]:
    """All patient-view findings for one patient, in a stable order."""
    return evaluate_assessment(assess(facts, thresholds, today))
