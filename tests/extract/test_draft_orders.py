from __future__ import annotations

from datetime import date
from typing import Any

from cds_service.engine.concepts import Agent, DrugClass
from cds_service.fhir.extract.draft_orders import read_draft_orders
from cds_service.terminology import Terminology

from . import builders as b

TODAY = date(2024, 6, 1)


def _draft(reference: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "d1",
        "status": "draft",
        "intent": "proposal",
        "subject": b.SUBJECT,
        "medicationReference": reference,
    }


def _statin_medication(ident: str) -> dict[str, Any]:
    return {"resourceType": "Medication", "id": ident, "code": b.medication_concept(code="83367")}


def test_medication_in_the_draft_orders_bundle_names_the_draft(
    terminology: Terminology,
) -> None:
    resources = [_statin_medication("m1"), _draft({"reference": "Medication/m1"})]
    (order,) = read_draft_orders(resources, terminology, TODAY, selected=None)
    assert (order.agent, order.drug_class) == (Agent.ATORVASTATIN, DrugClass.STATIN)


def test_medication_in_the_prefetch_names_the_draft(terminology: Terminology) -> None:
    (order,) = read_draft_orders(
        [_draft({"reference": "Medication/m1"})],
        terminology,
        TODAY,
        selected=None,
        medications=[_statin_medication("m1")],
    )
    assert order.agent is Agent.ATORVASTATIN


def test_reference_display_names_the_draft(terminology: Terminology) -> None:
    draft = _draft({"reference": "Medication/absent", "display": "atorvastatin 40 MG Oral Tablet"})
    (order,) = read_draft_orders([draft], terminology, TODAY, selected=None)
    assert (order.agent, order.display) == (Agent.ATORVASTATIN, "atorvastatin 40 MG Oral Tablet")
