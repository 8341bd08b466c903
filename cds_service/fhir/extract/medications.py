"""Medication exposures from MedicationRequest, -Statement and -Administration (contract.md §3).

An agent is recognised by RxNorm ingredient code, by a known product code, or, failing both, by
an ingredient or brand name in ``medicationCodeableConcept.text`` / ``coding.display`` (or in a
referenced Medication). ``active`` is decided against ``today``, which the caller passes in.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cds_service.engine.concepts import Agent
from cds_service.engine.facts import MedicationExposure, SourceRef
from cds_service.fhir.dates import parse_date, period_end, period_start
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.labels import agent_label

MEDICATION_TYPES = frozenset(
    {"MedicationRequest", "MedicationStatement", "MedicationAdministration"}
)
# Records that never describe an exposure.
SKIPPED_STATUSES = frozenset({"entered-in-error", "draft", "not-taken", "not-done"})
ACTIVE_STATUSES = frozenset({"active", "on-hold", "intended", "in-progress", "unknown"})
ENDED_STATUSES = frozenset({"completed", "stopped", "cancelled"})

_PERIOD_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}
_PERIOD_DAYS |= {"mo": 30.0, "a": 365.0}
_TIMING_CODES = {"QD": 1.0, "BID": 2.0, "TID": 3.0, "QID": 4.0, "QOD": 0.5}
_MG_PER_UNIT = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "µg": 0.001, "mcg": 0.001}


def medication_concept(resource: dict[str, Any], extraction: Extraction) -> dict[str, Any]:
    """The CodeableConcept naming the drug: inline, contained or a known Medication resource."""
    inline = raw.obj(resource, "medicationCodeableConcept")
    if inline:
        return inline
    target = raw.text(raw.obj(resource, "medicationReference"), "reference")
    if target.startswith("#"):
        for contained in raw.items(resource, "contained"):
            if isinstance(contained, dict) and raw.text(contained, "id") == target[1:]:
                return raw.obj(contained, "code")
        return {}
    if target.startswith("Medication/"):
        return raw.obj(extraction.medications_by_id.get(target[len("Medication/") :]), "code")
    return {}


def medication_agent(concept: dict[str, Any], extraction: Extraction) -> Agent | None:
    terminology = extraction.terminology
    for system, code, _ in raw.codings(concept):
        if (agent := terminology.medication(system, code)) is not None:
            return agent
    for label in raw.concept_texts(concept):
        if (agent := terminology.medication_by_name(label)) is not None:
            return agent
    return None


def read_medication(resource: dict[str, Any], extraction: Extraction, agent: Agent) -> None:
    status = raw.text(resource, "status")
    if status in SKIPPED_STATUSES:
        return
    kind = raw.text(resource, "resourceType")
    start, end = _start_end(resource, kind, status)
    today = extraction.today
    active = status in ACTIVE_STATUSES and (end is None or end >= today)
    terminology = extraction.terminology
    dose = _daily_dose_mg(resource, kind)
    factor = terminology.prednisone_factor(agent)
    if dose is not None and factor is not None:
        dose = round(dose * factor, 3)
    extraction.medications.append(
        MedicationExposure(
            agent=agent,
            drug_class=terminology.drug_class(agent),
            active=active,
            source=SourceRef(reference=raw.reference_of(resource), display=agent_label(agent)),
            start=start,
            end=end,
            daily_dose_mg=dose,
            line=terminology.usual_line(agent),
            resource_type=kind,
        )
    )


def _start_end(resource: dict[str, Any], kind: str, status: str) -> tuple[date | None, date | None]:
    if kind == "MedicationRequest":
        bounds = raw.obj(raw.obj(_first_dosage(resource, kind), "timing"), "repeat")
        period = raw.obj(bounds, "boundsPeriod")
        start = period_start(period) or parse_date(resource.get("authoredOn"))
        end = period_end(period) or period_end(
            raw.obj(raw.obj(resource, "dispenseRequest"), "validityPeriod")
        )
    else:
        period = raw.obj(resource, "effectivePeriod")
        start = period_start(period) or parse_date(resource.get("effectiveDateTime"))
        end = period_end(period)
        if kind == "MedicationAdministration" and end is None:
            end = parse_date(resource.get("effectiveDateTime"))
    if end is None and status in ENDED_STATUSES:
        # The status date: when the record says it ended (dateAsserted) or was last changed.
        end = parse_date(resource.get("dateAsserted")) or parse_date(
            raw.obj(resource, "meta").get("lastUpdated")
        )
    return start, end


def _first_dosage(resource: dict[str, Any], kind: str) -> dict[str, Any]:
    if kind == "MedicationAdministration":
        return raw.obj(resource, "dosage")
    key = "dosageInstruction" if kind == "MedicationRequest" else "dosage"
    first: object = next(iter(raw.items(resource, key)), {})
    return first if isinstance(first, dict) else {}


def _daily_dose_mg(resource: dict[str, Any], kind: str) -> float | None:
    """mg per day where the record states dose and frequency (one administration: its dose)."""
    dosage = _first_dosage(resource, kind)
    if kind == "MedicationAdministration":
        return _mg(raw.obj(dosage, "dose"))
    rate: object = next(iter(raw.items(dosage, "doseAndRate")), {})
    per_dose = _mg(raw.obj(rate, "doseQuantity"))
    per_day = _doses_per_day(raw.obj(dosage, "timing"))
    if per_dose is None or per_day is None:
        return None
    return per_dose * per_day


def _mg(quantity: dict[str, Any]) -> float | None:
    value = raw.number(quantity, "value")
    unit = (raw.text(quantity, "code") or raw.text(quantity, "unit")).strip().lower()
    factor = _MG_PER_UNIT.get(unit)
    return None if value is None or factor is None else value * factor


def _doses_per_day(timing: dict[str, Any]) -> float | None:
    repeat = raw.obj(timing, "repeat")
    period = raw.number(repeat, "period")
    unit_days = _PERIOD_DAYS.get(raw.text(repeat, "periodUnit"))
    if period and period > 0 and unit_days is not None:
        frequency = raw.number(repeat, "frequency") or 1.0
        return frequency / (period * unit_days)
    for _, code, _ in raw.codings(raw.obj(timing, "code")):
        if code.upper() in _TIMING_CODES:
            return _TIMING_CODES[code.upper()]
    return None
