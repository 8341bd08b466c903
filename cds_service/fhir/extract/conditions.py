"""Conditions: diagnoses with onset and whether they are active.

Refuted and entered-in-error Conditions are ignored entirely, whatever their clinicalStatus.
An absent clinicalStatus counts as active unless the Condition has an abatement.
"""

from __future__ import annotations

from typing import Any

from cds_service.engine.concepts import Diagnosis
from cds_service.engine.facts import DiagnosisFact, SourceRef
from cds_service.fhir.dates import parse_date, period_start
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.labels import diagnosis_label

IGNORED_VERIFICATION = frozenset({"refuted", "entered-in-error"})
ACTIVE_CLINICAL = frozenset({"active", "recurrence", "relapse"})
INACTIVE_CLINICAL = frozenset({"inactive", "remission", "resolved"})
_ABATEMENT_KEYS = (
    "abatementDateTime",
    "abatementAge",
    "abatementPeriod",
    "abatementRange",
    "abatementString",
)


def condition_diagnoses(resource: dict[str, Any], extraction: Extraction) -> dict[Diagnosis, str]:
    """Each diagnosis a Condition's codes map to, with the table display of its first code."""
    found: dict[Diagnosis, str] = {}
    terminology = extraction.terminology
    for system, code, _ in raw.codings(raw.obj(resource, "code")):
        diagnosis = terminology.diagnosis(system, code)
        if diagnosis is not None and diagnosis not in found:
            found[diagnosis] = terminology.display(system, code) or ""
    return found


def read_condition(resource: dict[str, Any], extraction: Extraction) -> None:
    if raw.status_codes(raw.obj(resource, "verificationStatus")) & IGNORED_VERIFICATION:
        return
    reference = raw.reference_of(resource)
    clinical = raw.status_codes(raw.obj(resource, "clinicalStatus"))
    if clinical & ACTIVE_CLINICAL:
        active = True
    elif clinical & INACTIVE_CLINICAL:
        active = False
    else:
        active = not any(key in resource for key in _ABATEMENT_KEYS)
    onset = parse_date(resource.get("onsetDateTime")) or period_start(resource.get("onsetPeriod"))
    recorded = parse_date(resource.get("recordedDate"))
    for diagnosis, display in condition_diagnoses(resource, extraction).items():
        extraction.diagnoses.append(
            DiagnosisFact(
                diagnosis=diagnosis,
                active=active,
                source=SourceRef(reference=reference, display=diagnosis_label(diagnosis)),
                onset=onset,
                recorded=recorded,
                code_display=display,
            )
        )
