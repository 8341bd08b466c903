"""Picking the readings the rules look at: latest, current, series of a strength scale.

"Current" (docs/clinical-logic.md, conventions): labs and measures within ``fresh_labs_weeks``
of today, MRI within ``fresh_mri_months``. Readings dated after today are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cds_service.engine.concepts import (
    MUSCLE_ENZYMES,
    STRENGTH_SCALE_MAXIMUM,
    Analyte,
    Measure,
)
from cds_service.engine.date_arithmetic import months_before, weeks_before
from cds_service.engine.facts import LabResult, MeasureResult, PatientFacts
from cds_service.engine.thresholds import Thresholds

MRI_MEASURES: frozenset[Measure] = frozenset(
    {Measure.MRI_MUSCLE_EDEMA, Measure.MRI_FATTY_REPLACEMENT}
)
BIOPSY_MEASURES: frozenset[Measure] = frozenset(
    {
        Measure.BIOPSY_RIMMED_VACUOLES,
        Measure.BIOPSY_INFLAMMATION,
        Measure.BIOPSY_PERIFASCICULAR_ATROPHY,
    }
)


def labs_until(facts: PatientFacts, analyte: Analyte, today: date) -> tuple[LabResult, ...]:
    return tuple(r for r in facts.lab_series(analyte) if r.effective <= today)


def measures_until(facts: PatientFacts, measure: Measure, today: date) -> tuple[MeasureResult, ...]:
    return tuple(m for m in facts.measure_series(measure) if m.effective <= today)


def lab_cutoff(thresholds: Thresholds, today: date) -> date:
    return weeks_before(today, thresholds.fresh_labs_weeks)


def mri_cutoff(thresholds: Thresholds, today: date) -> date:
    return months_before(today, thresholds.fresh_mri_months)


def current_labs(
    facts: PatientFacts, analyte: Analyte, thresholds: Thresholds, today: date
) -> tuple[LabResult, ...]:
    cutoff = lab_cutoff(thresholds, today)
    return tuple(r for r in labs_until(facts, analyte, today) if r.effective >= cutoff)


def current_measures(
    facts: PatientFacts, measure: Measure, thresholds: Thresholds, today: date
) -> tuple[MeasureResult, ...]:
    cutoff = lab_cutoff(thresholds, today)
    return tuple(m for m in measures_until(facts, measure, today) if m.effective >= cutoff)


def latest_current_enzymes(
    facts: PatientFacts, thresholds: Thresholds, today: date
) -> tuple[LabResult, ...]:
    """The latest current value of each muscle enzyme, in a stable analyte order."""
    latest: list[LabResult] = []
    for analyte in sorted(MUSCLE_ENZYMES, key=lambda a: a.value):
        series = current_labs(facts, analyte, thresholds, today)
        if series:
            latest.append(series[-1])
    return tuple(latest)


@dataclass(frozen=True, slots=True)
class MriReading:
    """The latest MRI readings: the latest edema reading and the latest fatty-replacement one.

    Each reading is taken on its own, so a later report of fatty replacement alone never hides
    an edema reading (and never invents its absence).
    """

    edema: MeasureResult | None
    fatty_replacement: MeasureResult | None

    @property
    def day(self) -> date:
        return max(m.effective for m in self.readings)

    @property
    def shows_edema(self) -> bool:
        return self.edema is not None and self.edema.flag is True

    @property
    def edema_absent(self) -> bool:
        return self.edema is not None and self.edema.flag is False

    @property
    def readings(self) -> tuple[MeasureResult, ...]:
        return tuple(m for m in (self.edema, self.fatty_replacement) if m is not None)


def latest_mri(facts: PatientFacts, today: date, since: date | None = None) -> MriReading | None:
    """Latest edema and fatty-replacement readings (optionally only those from ``since`` on)."""

    def latest(measure: Measure) -> MeasureResult | None:
        series = [
            m
            for m in measures_until(facts, measure, today)
            if (since is None or m.effective >= since)
            and (m.flag is not None or m.grade is not None)
        ]
        return series[-1] if series else None

    edema = latest(Measure.MRI_MUSCLE_EDEMA)
    fatty = latest(Measure.MRI_FATTY_REPLACEMENT)
    if edema is None and fatty is None:
        return None
    return MriReading(edema=edema, fatty_replacement=fatty)


def latest_current_mri(
    facts: PatientFacts, thresholds: Thresholds, today: date
) -> MriReading | None:
    return latest_mri(facts, today, since=mri_cutoff(thresholds, today))


def strength_series(
    facts: PatientFacts, today: date, *, prefer_cmas: bool = False
) -> tuple[Measure, tuple[MeasureResult, ...]] | None:
    """The strength scale with the most recent value (CMAS first in juveniles, on a tie)."""
    candidates: list[tuple[date, int, Measure, tuple[MeasureResult, ...]]] = []
    for measure in STRENGTH_SCALE_MAXIMUM:
        series = tuple(m for m in measures_until(facts, measure, today) if m.number is not None)
        if series:
            rank = 1 if (measure is Measure.CMAS) == prefer_cmas else 0
            candidates.append((series[-1].effective, rank, measure, series))
    if not candidates:
        return None
    _, _, measure, series = max(candidates, key=lambda c: (c[0], c[1], c[2].value))
    return measure, series


FvcReading = LabResult | MeasureResult


def fvc_value(reading: FvcReading) -> float:
    if isinstance(reading, LabResult):
        return reading.value
    return reading.number or 0.0


def fvc_series(facts: PatientFacts, today: date) -> tuple[FvcReading, ...]:
    """FVC % predicted up to today, oldest first, from labs and project measures alike.

    One Observation read both ways (its code is a lab and a measure) counts once.
    """
    labs = [r for r in facts.lab_series(Analyte.FVC_PERCENT_PREDICTED) if r.effective <= today]
    measures = [
        m
        for m in facts.measure_series(Measure.FVC_PERCENT_PREDICTED)
        if m.number is not None and m.effective <= today
    ]
    both: list[FvcReading] = [*labs, *measures]
    seen: set[tuple[date, str]] = set()
    readings: list[FvcReading] = []
    for reading in sorted(both, key=lambda r: (r.effective, r.source.reference)):
        key = (reading.effective, reading.source.reference)
        if key not in seen:
            seen.add(key)
            readings.append(reading)
    return tuple(readings)


def flag_is_set(
    facts: PatientFacts, measure: Measure, today: date, since: date | None = None
) -> MeasureResult | None:
    """The latest reading of a yes/no measure when it says yes (optionally not before ``since``)."""
    series = measures_until(facts, measure, today)
    if not series or series[-1].flag is not True:
        return None
    if since is not None and series[-1].effective < since:
        return None
    return series[-1]
