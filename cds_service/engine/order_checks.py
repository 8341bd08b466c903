"""The order checks of order-select and order-sign (contract.md §2, order codes).

When: a session's draft orders are about to be chosen or signed.
Then: each check looks at one recognised draft order against the patient's picture (the same
      ``Assessment`` and patient-view findings as patient-view) and may give one finding about
      that order; the finding names the order in ``order_reference``.

Checks, one module each under ``rules/``: order_statin_with_hmgcr,
order_escalation_not_supported, order_duplicate_immunosuppressant, order_line_guidance.
order-select examines the selected orders (the others are context: a duplicate of another
draft counts); order-sign examines every draft order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cds_service.engine import evaluate_assessment
from cds_service.engine.assessment import assess
from cds_service.engine.draft_orders import DraftOrder
from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import Finding
from cds_service.engine.order_context import OrderContext
from cds_service.engine.rules import (
    order_duplicate_immunosuppressant,
    order_escalation_not_supported,
    order_line_guidance,
    order_statin_with_hmgcr,
)
from cds_service.engine.thresholds import Thresholds

CHECKS = (
    order_statin_with_hmgcr,
    order_escalation_not_supported,
    order_duplicate_immunosuppressant,
    order_line_guidance,
)


def evaluate_orders(
    facts: PatientFacts,
    drafts: Sequence[DraftOrder],
    thresholds: Thresholds,
    today: date,
) -> tuple[Finding, ...]:
    """Findings about the selected draft orders, in draft order, checks in a fixed order."""
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
        for check in CHECKS:
            finding = check.evaluate(order, context)
            if finding is not None:
                findings.append(finding)
    return tuple(findings)
