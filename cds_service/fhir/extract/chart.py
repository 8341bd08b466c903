"""A patient's chart (raw FHIR JSON resources) read into the engine's frozen ``PatientFacts``.

The dispatcher of extraction: it sorts each resource to the reader of its kind
(``observations``, ``conditions``, ``medications``, ``patient``), skips copies and resources
that cannot matter, and collects what the readers found.

Fast by design: relevance is decided from the raw codings first (one dict lookup per coding,
plus a name search for medications without a known code); only relevant resources are validated
with ``fhir.resources`` (R4B), one at a time. Nothing here raises on bad input: a resource that
cannot be read becomes a ``DataIssue`` (reference and a short problem, never values).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from cds_service.engine.facts import PatientFacts
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.conditions import (
    IGNORED_VERIFICATION,
    condition_diagnoses,
    read_condition,
)
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.medications import (
    MEDICATION_TYPES,
    SKIPPED_STATUSES,
    medication_agent,
    medication_concept,
    read_medication,
)
from cds_service.fhir.extract.observations import IGNORED_STATUSES, read_observation
from cds_service.fhir.extract.patient import read_patient
from cds_service.fhir.extract.validate import structural_problem
from cds_service.terminology import Terminology


def extract_facts(
    resources: Iterable[Mapping[str, Any]],
    terminology: Terminology,
    today: date,
    *,
    patient: Mapping[str, Any] | None = None,
) -> PatientFacts:
    """The facts the engine needs from a patient's resources (any types; others ignored).

    ``today`` decides whether a medication is still given. A Patient among ``resources``
    counts as the patient when ``patient`` is None.
    """
    extraction = Extraction(terminology=terminology, today=today)
    entries = [r for r in _as_list(resources) if isinstance(r, Mapping)]
    if patient is None:
        patient = next((r for r in entries if r.get("resourceType") == "Patient"), None)
    patient_reference = _read_patient(patient, extraction)
    for entry in entries:
        if entry.get("resourceType") == "Medication" and isinstance(entry.get("id"), str):
            extraction.medications_by_id[entry["id"]] = dict(entry)
    seen: set[str] = set()
    for entry in entries:
        try:
            _read_entry(entry, extraction, seen)
        except Exception:  # one bad resource must never fail the request
            extraction.issue(_safe_reference(entry), "resource could not be read")
    return PatientFacts(
        patient_reference=patient_reference,
        birth_date=extraction.birth_date,
        sex=extraction.sex,
        labs=tuple(extraction.labs),
        antibodies=tuple(extraction.antibodies),
        diagnoses=tuple(extraction.diagnoses),
        medications=tuple(extraction.medications),
        measures=tuple(extraction.measures),
        issues=tuple(extraction.issues),
    )


def _as_list(resources: Iterable[Mapping[str, Any]]) -> list[Any]:
    try:
        return list(resources)
    except Exception:
        return []


def _read_patient(patient: Mapping[str, Any] | None, extraction: Extraction) -> str:
    if not isinstance(patient, Mapping):
        return ""
    try:
        problem = structural_problem(patient)
        if problem:
            extraction.issue(_safe_reference(patient), problem)
        return read_patient(patient, extraction)
    except Exception:
        extraction.issue(_safe_reference(patient), "patient could not be read")
        return ""


def _read_entry(entry: Mapping[str, Any], extraction: Extraction, seen: set[str]) -> None:
    kind = entry.get("resourceType")
    resource: dict[str, Any]
    if kind == "Observation":
        if not _has_known_coding(entry.get("code"), extraction.terminology):
            return
        if entry.get("status") in IGNORED_STATUSES:
            return
        resource = dict(entry)
        if _first_time(resource, seen) and _is_valid(resource, extraction):
            read_observation(resource, extraction)
    elif kind == "Condition":
        resource = dict(entry)
        if not condition_diagnoses(resource, extraction):
            return
        verification = raw.status_codes(raw.obj(resource, "verificationStatus"))
        if verification & IGNORED_VERIFICATION:
            return
        if _first_time(resource, seen) and _is_valid(resource, extraction):
            read_condition(resource, extraction)
    elif kind in MEDICATION_TYPES:
        resource = dict(entry)
        agent = medication_agent(medication_concept(resource, extraction), extraction)
        if agent is None or raw.text(resource, "status") in SKIPPED_STATUSES:
            return
        if _first_time(resource, seen) and _is_valid(resource, extraction):
            read_medication(resource, extraction, agent)


def _has_known_coding(concept: object, terminology: Terminology) -> bool:
    """The cheap relevance test: does any coding of ``concept`` appear in the tables?"""
    if not isinstance(concept, dict):
        return False
    codings = concept.get("coding")
    if not isinstance(codings, list):
        return False
    for coding in codings:
        if isinstance(coding, dict):
            system, code = coding.get("system"), coding.get("code")
            if (
                isinstance(system, str)
                and isinstance(code, str)
                and terminology.is_relevant(system, code)
            ):
                return True
    return False


def _first_time(resource: dict[str, Any], seen: set[str]) -> bool:
    """False for a second copy of the same resource (prefetch and fetch may overlap)."""
    ident = resource.get("id")
    if not isinstance(ident, str) or not ident:
        return True
    reference = f"{resource.get('resourceType')}/{ident}"
    if reference in seen:
        return False
    seen.add(reference)
    return True


def _is_valid(resource: dict[str, Any], extraction: Extraction) -> bool:
    problem = structural_problem(resource)
    if problem is not None:
        extraction.issue(raw.reference_of(resource), problem)
        return False
    return True


def _safe_reference(entry: object) -> str:
    try:
        return raw.reference_of(entry) if isinstance(entry, dict) else "resource/(unreadable)"
    except Exception:
        return "resource/(unreadable)"
