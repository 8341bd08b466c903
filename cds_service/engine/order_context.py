"""What every order check reads (see order_checks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from cds_service.engine.assessment import Assessment
from cds_service.engine.draft_orders import DraftOrder
from cds_service.engine.findings import Finding


@dataclass(frozen=True, slots=True)
class OrderContext:
    """The patient's assessment, its patient-view findings (after precedence), and every
    draft order of the session (the checked one among them)."""

    assessment: Assessment
    patient_findings: tuple[Finding, ...]
    drafts: tuple[DraftOrder, ...]
