"""The request resources of ``context.draftOrders``, recognised through the tables like any
medication record (ingredient code, product code, or ingredient name in text).

A ``medicationReference`` is resolved against the Medication resources of the draftOrders
Bundle, then those of ``medications`` (the prefetch), then contained ones; failing all, its
``display`` names the drug."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import Any

from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.medications import medication_agent, medication_concept
from cds_service.terminology import Terminology

ORDER_TYPES = frozenset(
    {"MedicationRequest", "ServiceRequest", "NutritionOrder", "DeviceRequest", "VisionPrescription"}
)


def read_draft_orders(
    resources: Iterable[Mapping[str, Any]],
    terminology: Terminology,
    today: date,
    *,
    selected: Collection[str] | None,
    medications: Iterable[Mapping[str, Any]] = (),
) -> tuple[DraftOrder, ...]:
    """Each request resource as a DraftOrder; ``selected`` None means every order is selected.

    ``medications``: other resources (e.g. the prefetch) whose Medication resources may be the
    target of a draft's ``medicationReference``; those in ``resources`` take precedence.
    """
    resources = list(resources)
    extraction = Extraction(terminology=terminology, today=today)
    for pool in (medications, resources):
        for candidate in pool:
            ident = raw.text(candidate, "id")
            if ident and raw.text(candidate, "resourceType") == "Medication":
                extraction.medications_by_id[ident] = dict(candidate)
    orders: list[DraftOrder] = []
    for resource in resources:
        resource_type = raw.text(resource, "resourceType")
        resource_id = raw.text(resource, "id")
        if resource_type not in ORDER_TYPES or not resource_id:
            continue
        reference = f"{resource_type}/{resource_id}"
        agent = None
        display = ""
        if resource_type == "MedicationRequest":
            concept = medication_concept(dict(resource), extraction)
            agent = medication_agent(concept, extraction)
            display = next(iter(raw.concept_texts(concept)), "")
        orders.append(
            DraftOrder(
                reference=reference,
                selected=selected is None or reference in selected,
                status=raw.text(resource, "status") or "draft",
                agent=agent,
                drug_class=terminology.drug_class(agent) if agent else None,
                line=terminology.usual_line(agent) if agent else None,
                display=display[:120],
            )
        )
    return tuple(orders)
