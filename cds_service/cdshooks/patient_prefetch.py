"""A patient's resources as the prefetch the service's templates ask for.

One builder for every place that has a patient's resources in hand and wants the service to
read them as a CDS client's full prefetch would hand them over: ``myositis-cds evaluate`` on a
FHIR Bundle, the timeline over the embedded fixture patients, and the fixture generator
(``tools/make_fixtures.py``). Keys and order are those of ``registry.PATIENT_HISTORY``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cds_service.cdshooks.registry import PATIENT_HISTORY
from cds_service.fhir.bundles import searchset
from cds_service.fhir.fixture_store import patient_of

JsonObject = dict[str, Any]


def patient_prefetch(resources: Iterable[JsonObject], patient_id: str) -> JsonObject:
    """``{"patient": Patient, "conditions": searchset, ...}`` of the resources about
    ``patient_id``; the Patient key is ``None`` when the Patient is not among them."""
    mine = [r for r in resources if patient_of(r) == patient_id]
    prefetch: JsonObject = {}
    for template in PATIENT_HISTORY:
        matches = [r for r in mine if r.get("resourceType") == template.resource_type]
        if template.resource_type == "Patient":
            prefetch[template.key] = matches[0] if matches else None
        else:
            prefetch[template.key] = searchset(matches)
    return prefetch
