"""Running the registered rules: patient-view findings and order-check findings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cds_service.engine.assessment import Assessment, assess
from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import Finding
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.engine.order_checks.subject import DraftAssessment, OrderContext
from cds_service.engine.precedence import apply_precedence
from cds_service.engine.registry import DISPLAY_RANK, ORDER_CHECKS, PATIENT_VIEW_RULES
from cds_service.engine.thresholds import Thresholds


def evaluate_assessment(assessment: Assessment) -> tuple[Finding, ...]:
    """All patient-view findings for an assessment, after precedence, in display order."""
    findings = [f for rule in PATIENT_VIEW_RULES for f in rule.evaluate(assessment)]
    return apply_precedence(findings)


def evaluate(facts: PatientFacts, thresholds: Thresholds, today: date) -> tuple[Finding, ...]:
    """All patient-view findings for one patient, in a stable order."""
    return evaluate_assessment(assess(facts, thresholds, today))


def evaluate_orders(
    facts: PatientFacts,
    drafts: Sequence[DraftOrder],
    thresholds: Thresholds,
    today: date,
) -> tuple[Finding, ...]:
    """Findings about the selected draft orders: in draft order, then by display rank."""
    assessment = assess(facts, thresholds, today)
    context = OrderContext(
        assessment=assessment,
        patient_findings=evaluate_assessment(assessment),
        drafts=tuple(drafts),
    )
    findings: list[Finding] = []
    for order in context.drafts:
        if not order.selected or order.agent is None:
            continue
        subject = DraftAssessment(order=order, context=context)
        about = [f for check in ORDER_CHECKS for f in check.evaluate(subject)]
        findings.extend(sorted(about, key=lambda f: DISPLAY_RANK[f.code]))
    return tuple(findings)
