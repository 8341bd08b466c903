"""Draft orders of an ordering session (order-select, order-sign), as the engine sees them."""

from __future__ import annotations

from dataclasses import dataclass

from cds_service.engine.concepts import Agent, DrugClass


@dataclass(frozen=True, slots=True)
class DraftOrder:
    """One request resource of ``draftOrders``.

    ``selected`` is whether the clinician just chose it (order-select's ``selections``; every
    order counts as selected at order-sign). ``agent`` is None for orders the tables do not
    recognise (other drugs, ServiceRequests): they are context, never the subject of a check.
    """

    reference: str
    selected: bool
    status: str = "draft"
    agent: Agent | None = None
    drug_class: DrugClass | None = None
    line: int | None = None
    display: str = ""
