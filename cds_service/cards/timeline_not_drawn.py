"""Why a cited item has no ring: the page names every reference a card cites that the drawing
could not place (a patient's age, an undated record, a record no longer there), in words."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from cds_service.cards.names import agent_name
from cds_service.engine.facts import PatientFacts
from cds_service.engine.order_checks.draft_order import DraftOrder

__all__ = ["not_drawn"]


def not_drawn(
    references: Iterable[str],
    facts: PatientFacts,
    drafts: Sequence[DraftOrder],
    axis_start: date,
) -> tuple[tuple[str, str], ...]:
    """(reference, why it is not drawn) for each of ``references``, sorted by reference."""
    return tuple((ref, _why(ref, facts, drafts, axis_start)) for ref in sorted(set(references)))


def _why(reference: str, facts: PatientFacts, drafts: Sequence[DraftOrder], start: date) -> str:
    if reference.startswith("Patient/"):
        return "the patient's record (age, sex): not an event in time"
    for exposure in facts.medications:
        if exposure.source.reference == reference:
            name = exposure.source.display or agent_name(exposure.agent)
            if exposure.start is None:
                return f"{name}: the record gives no start date"
            return f"{name}: ended before {start.isoformat()}, where the drawing starts"
    for fact in facts.diagnoses:
        if fact.source.reference == reference:
            name = fact.code_display or fact.source.display or fact.diagnosis.value
            return f"{name}: the record gives no onset or recorded date"
    if any(order.reference == reference for order in drafts):
        return "a draft order the drawing could not place"
    if reference.startswith(("MedicationRequest/", "ServiceRequest/")):
        return "not in the patient's record read for this page (a draft order not carried)"
    return "not in the patient's record read for this page (it may have changed since the card)"
