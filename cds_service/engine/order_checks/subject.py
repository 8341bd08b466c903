"""What every order check reads: one draft order in its ordering session."""

from __future__ import annotations

from dataclasses import dataclass

from cds_service.engine.assessment import Assessment
from cds_service.engine.findings import Finding
from cds_service.engine.order_checks.draft_order import DraftOrder


@dataclass(frozen=True, slots=True)
class OrderContext:
    """The patient's assessment, its patient-view findings (after precedence), and every
    draft order of the session (the checked one among them)."""

    assessment: Assessment
    patient_findings: tuple[Finding, ...]
    drafts: tuple[DraftOrder, ...]


@dataclass(frozen=True, slots=True)
class DraftAssessment:
    """The subject of an order check: one draft order and its session's context."""

    order: DraftOrder
    context: OrderContext
