"""Evidence rows about draft orders."""

from __future__ import annotations

from cds_service.engine.findings import Evidence
from cds_service.engine.order_checks.draft_order import DraftOrder


def draft_order_evidence(order: DraftOrder) -> Evidence:
    agent = order.agent.value if order.agent else "unrecognised"
    shown = f"{order.display or agent} ({order.status})"
    if order.line is not None:
        shown += f", usual line {order.line}"
    return Evidence(label="Draft order", value=shown, reference=order.reference)
