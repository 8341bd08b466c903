"""Frozen facts about one patient: what the extraction layer hands the engine.

Every fact carries a ``SourceRef`` so that a finding can cite the FHIR resource it rests on.
Values are already in canonical units (muscle enzymes in U/L). Nothing here reads a clock:
``today`` is always passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cds_service.engine.concepts import (
    Agent,
    Analyte,
    Antibody,
    AntibodyStatus,
    Diagnosis,
    DrugClass,
    FattyReplacement,
    Measure,
    Sex,
)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A relative FHIR reference (``Observation/ck-1``) and a human label for the evidence table."""

    reference: str
    display: str = ""


@dataclass(frozen=True, slots=True)
class LabResult:
    """One laboratory value in canonical units, with the reference range it is judged against.

    ``reference_high`` comes from the result's own ``referenceRange`` when given
    (``range_from_result`` true) or, for CK, from the fallback table by sex and age
    (docs/clinical-logic.md, conventions).
    """

    analyte: Analyte
    value: float
    unit: str
    effective: date
    source: SourceRef
    reference_low: float | None = None
    reference_high: float | None = None
    range_from_result: bool = True
    reported_as: str = ""

    @property
    def times_upper_limit(self) -> float | None:
        if self.reference_high is None or self.reference_high <= 0:
            return None
        return self.value / self.reference_high


@dataclass(frozen=True, slots=True)
class AntibodyResult:
    antibody: Antibody
    status: AntibodyStatus
    effective: date
    source: SourceRef
    reported_as: str = ""


@dataclass(frozen=True, slots=True)
class DiagnosisFact:
    """A Condition that counts: not refuted or entered in error."""

    diagnosis: Diagnosis
    active: bool
    source: SourceRef
    onset: date | None = None
    recorded: date | None = None
    code_display: str = ""


@dataclass(frozen=True, slots=True)
class MedicationExposure:
    """A period on one agent, from a MedicationRequest, -Statement or -Administration.

    ``end`` is None while the agent is still given. ``daily_dose_mg`` is set for
    glucocorticoids only: the prednisone-equivalent dose in mg/day, where the record states a
    dose and timing (the engine's GC thresholds use it). ``dose_as_ordered`` is the dose as the
    record states it ("20 mg once weekly"): the only dose shown for other agents.
    ``dose_steps`` are the timed steps of a glucocorticoid taper written as one request, each
    with its own prednisone-equivalent mg/day (empty otherwise): the GC exposure of the
    steroid-myopathy rule counts the high-dose steps before today, not only today's dose.
    """

    agent: Agent
    drug_class: DrugClass
    active: bool
    source: SourceRef
    start: date | None = None
    end: date | None = None
    daily_dose_mg: float | None = None
    line: int | None = None
    resource_type: str = "MedicationRequest"
    dose_as_ordered: str = ""
    dose_steps: tuple[DoseStep, ...] = ()


@dataclass(frozen=True, slots=True)
class DoseStep:
    """One timed step of a dosage: from ``start`` to ``end`` (None: open) at ``daily_dose_mg``."""

    start: date
    end: date | None
    daily_dose_mg: float


@dataclass(frozen=True, slots=True)
class MeasureResult:
    """A clinical measure in the project code system: a number, a flag or a coded grade."""

    measure: Measure
    effective: date
    source: SourceRef
    number: float | None = None
    flag: bool | None = None
    grade: FattyReplacement | None = None
    unit: str = ""
    body_site: str = ""


@dataclass(frozen=True, slots=True)
class DataIssue:
    """Something in the input that could not become a fact. Never holds patient data values."""

    reference: str
    problem: str


@dataclass(frozen=True, slots=True)
class PatientFacts:
    patient_reference: str = ""
    birth_date: date | None = None
    sex: Sex = Sex.UNKNOWN
    labs: tuple[LabResult, ...] = ()
    antibodies: tuple[AntibodyResult, ...] = ()
    diagnoses: tuple[DiagnosisFact, ...] = ()
    medications: tuple[MedicationExposure, ...] = ()
    measures: tuple[MeasureResult, ...] = ()
    issues: tuple[DataIssue, ...] = field(default=())

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def lab_series(self, analyte: Analyte) -> tuple[LabResult, ...]:
        """Results for one analyte, oldest first."""
        return tuple(sorted((r for r in self.labs if r.analyte is analyte), key=_lab_key))

    def measure_series(self, measure: Measure) -> tuple[MeasureResult, ...]:
        """Results for one measure, oldest first."""
        return tuple(sorted((m for m in self.measures if m.measure is measure), key=_measure_key))

    def antibody_results(self, antibody: Antibody) -> tuple[AntibodyResult, ...]:
        return tuple(
            sorted(
                (a for a in self.antibodies if a.antibody is antibody),
                key=lambda a: (a.effective, a.source.reference),
            )
        )

    def has_diagnosis(self, *diagnoses: Diagnosis, active_only: bool = True) -> bool:
        wanted = set(diagnoses)
        return any(d.diagnosis in wanted and (d.active or not active_only) for d in self.diagnoses)


def _lab_key(result: LabResult) -> tuple[date, str]:
    return (result.effective, result.source.reference)


def _measure_key(result: MeasureResult) -> tuple[date, str]:
    return (result.effective, result.source.reference)
