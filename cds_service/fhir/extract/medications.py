"""Medication exposures from MedicationRequest, -Statement and -Administration.

An agent is recognised by RxNorm ingredient code, by a known product code, or, failing both, by
an ingredient or brand name in ``medicationCodeableConcept.text`` / ``coding.display`` (or in a
referenced Medication, or in ``medicationReference.display``). ``active`` is decided against
``today``, which the caller passes in.

Dates (docs/mappings.md, "How records are read"): a MedicationRequest runs from the earliest
start to the latest end of its dosage steps (``timing.repeat.boundsPeriod``; ``authoredOn``
when no step has a start), open-ended if any step is; a tapering course is one exposure whose
daily dose is that of the step covering ``today``. Each exposure keeps its dose as
ordered (amount, unit, timing) for display; mg/day is computed for glucocorticoids only
(docs/clinical-logic.md, "How doses are shown"). A partial start counts from its last possible
day. Neither ``dispenseRequest.validityPeriod`` nor ``meta.lastUpdated`` is ever an end
of therapy; ``cancelled`` records are never an exposure.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cds_service.engine.concepts import Agent
from cds_service.engine.facts import DoseStep, MedicationExposure, SourceRef
from cds_service.fhir.dates import parse_date, period_end, period_start
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.dose_as_ordered import dose_as_ordered
from cds_service.fhir.extract.labels import agent_label

MEDICATION_TYPES = frozenset(
    {"MedicationRequest", "MedicationStatement", "MedicationAdministration"}
)
# Records that never describe an exposure.
SKIPPED_STATUSES = frozenset({"entered-in-error", "draft", "cancelled", "not-taken", "not-done"})
ACTIVE_STATUSES = frozenset({"active", "on-hold", "intended", "in-progress", "unknown"})
ENDED_STATUSES = frozenset({"completed", "stopped"})

_PERIOD_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}
_PERIOD_DAYS |= {"mo": 30.0, "a": 365.0}
_TIMING_CODES = {"QD": 1.0, "BID": 2.0, "TID": 3.0, "QID": 4.0, "QOD": 0.5}
_MG_PER_UNIT = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "µg": 0.001, "mcg": 0.001}


def medication_concept(resource: dict[str, Any], extraction: Extraction) -> dict[str, Any]:
    """The CodeableConcept naming the drug: inline, contained or a known Medication resource.

    ``medicationReference.display`` is added as one more name (a coding with a display only),
    so a reference to a Medication that was not sent can still name the drug.
    """
    inline = raw.obj(resource, "medicationCodeableConcept")
    if inline:
        return inline
    reference = raw.obj(resource, "medicationReference")
    concept = _referenced_concept(resource, raw.text(reference, "reference"), extraction)
    display = raw.text(reference, "display").strip()
    if not display:
        return concept
    return {**concept, "coding": [*raw.items(concept, "coding"), {"display": display}]}


def _referenced_concept(
    resource: dict[str, Any], target: str, extraction: Extraction
) -> dict[str, Any]:
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
    # mg/day only for glucocorticoids (prednisone-equivalent, for the engine's GC thresholds);
    # every agent keeps its dose as ordered for display (docs/clinical-logic.md, "How doses
    # are shown").
    factor = terminology.prednisone_factor(agent)
    per_day = _daily_dose_mg(resource, kind, today) if factor is not None else None
    dose = None if per_day is None or factor is None else round(per_day * factor, 3)
    as_ordered = dose_as_ordered(_dosage_on(_dosages(resource, kind), today), kind)
    steps = () if factor is None else _dose_steps(resource, kind, factor)
    extraction.medications.append(
        MedicationExposure(
            agent=agent,
            drug_class=terminology.drug_class(agent),
            active=active,
            source=SourceRef(reference=raw.reference_of(resource), display=agent_label(agent)),
            start=start,
            end=end,
            daily_dose_mg=dose,
            dose_as_ordered=as_ordered,
            line=terminology.usual_line(agent),
            resource_type=kind,
            dose_steps=steps,
        )
    )


def _dose_steps(resource: dict[str, Any], kind: str, factor: float) -> tuple[DoseStep, ...]:
    """The timed steps of a glucocorticoid taper written as one MedicationRequest, each at its
    own prednisone-equivalent mg/day (steps without a start or a readable dose are left out);
    empty for a single step or another kind of record."""
    dosages = _dosages(resource, kind)
    if kind != "MedicationRequest" or len(dosages) < 2:
        return ()
    steps: list[DoseStep] = []
    for dosage in dosages:
        bounds = _bounds(dosage)
        start = period_start(bounds, latest=True)
        per_day = _dosage_mg_per_day(dosage, kind)
        if start is not None and per_day is not None:
            steps.append(DoseStep(start, period_end(bounds), round(per_day * factor, 3)))
    return tuple(sorted(steps, key=lambda step: step.start))


def _start_end(resource: dict[str, Any], kind: str, status: str) -> tuple[date | None, date | None]:
    """Partial starts count from their last possible day; ends as written (last day)."""
    if kind == "MedicationRequest":
        # Every dosage step counts: a taper written as one request is one course.
        periods = [_bounds(step) for step in _dosages(resource, kind)]
        starts = [s for p in periods if (s := period_start(p, latest=True)) is not None]
        ends = [e for p in periods if (e := period_end(p)) is not None]
        start = min(starts) if starts else parse_date(resource.get("authoredOn"), end=True)
        end = max(ends) if ends and len(ends) == len(periods) else None  # open if any step is
    else:
        period = raw.obj(resource, "effectivePeriod")
        start = period_start(period, latest=True) or parse_date(
            resource.get("effectiveDateTime"), end=True
        )
        end = period_end(period)
        if kind == "MedicationAdministration" and end is None:
            end = parse_date(resource.get("effectiveDateTime"), end=True)
    if end is None and status in ENDED_STATUSES:
        # The status date, when the record states one. Never meta.lastUpdated (a change to the
        # record, not to the therapy): a stopped record without an end keeps end None, and the
        # engine counts it as zero weeks (engine/therapy.py).
        end = parse_date(resource.get("dateAsserted"))
    if start is not None and end is not None and start > end:
        start = end  # a partial start read as its last day cannot follow the stated end
    return start, end


def _dosages(resource: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    if kind == "MedicationAdministration":
        return [raw.obj(resource, "dosage")]
    key = "dosageInstruction" if kind == "MedicationRequest" else "dosage"
    return [step for step in raw.items(resource, key) if isinstance(step, dict)]


def _bounds(dosage: dict[str, Any]) -> dict[str, Any]:
    return raw.obj(raw.obj(raw.obj(dosage, "timing"), "repeat"), "boundsPeriod")


def _dosage_on(steps: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """The dosage step covering ``today``, else the latest step started before it, else the
    first step (the dose of a tapering course is the dose of the period covering the day).
    Of steps covering the day, the one that started last wins (a step may end the day the next
    one starts)."""
    if len(steps) < 2:
        return steps[0] if steps else {}
    timed: list[tuple[date, date | None, int]] = []
    for index, step in enumerate(steps):
        bounds = _bounds(step)
        if (start := period_start(bounds, latest=True)) is not None and start <= today:
            timed.append((start, period_end(bounds), index))
    covering = [t for t in timed if t[1] is None or t[1] >= today]
    chosen = max(covering or timed, key=lambda t: (t[0], -t[2]), default=None)
    return steps[0] if chosen is None else steps[chosen[2]]


def _daily_dose_mg(resource: dict[str, Any], kind: str, today: date) -> float | None:
    """mg per day where the record states dose and frequency (one administration: its dose)."""
    return _dosage_mg_per_day(_dosage_on(_dosages(resource, kind), today), kind)


def _dosage_mg_per_day(dosage: dict[str, Any], kind: str) -> float | None:
    """mg per day of one dosage (a step), where it states dose and frequency."""
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
