"""The clinical engine: PURE. Facts in, findings out; no I/O, no clock, no pydantic.

``evaluate(facts, thresholds, today)`` runs every patient-view rule and applies the
precedence of contract.md §2.
"""

from __future__ import annotations

from datetime import date

from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import Finding
from cds_service.engine.rules import statin_and_hmgcr
from cds_service.engine.thresholds import Thresholds

__all__ = ["evaluate"]


def evaluate(facts: PatientFacts, thresholds: Thresholds, today: date) -> tuple[Finding, ...]:
    """All patient-view findings for one patient, in a stable order."""
    findings: list[Finding] = []
    findings.extend(statin_and_hmgcr.evaluate(facts, thresholds, today))
    return tuple(findings)
