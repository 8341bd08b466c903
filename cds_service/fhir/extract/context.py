"""What one extraction run accumulates: facts, data issues, and the patient they belong to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cds_service.engine.concepts import Sex
from cds_service.engine.facts import (
    AntibodyResult,
    DataIssue,
    DiagnosisFact,
    LabResult,
    MeasureResult,
    MedicationExposure,
)
from cds_service.terminology import Terminology


@dataclass
class Extraction:
    terminology: Terminology
    today: date
    sex: Sex = Sex.UNKNOWN
    birth_date: date | None = None
    medications_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    labs: list[LabResult] = field(default_factory=list)
    antibodies: list[AntibodyResult] = field(default_factory=list)
    diagnoses: list[DiagnosisFact] = field(default_factory=list)
    medications: list[MedicationExposure] = field(default_factory=list)
    measures: list[MeasureResult] = field(default_factory=list)
    issues: list[DataIssue] = field(default_factory=list)

    def issue(self, reference: str, problem: str) -> None:
        self.issues.append(DataIssue(reference=reference, problem=problem))

    def age_on(self, day: date) -> int | None:
        born = self.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
