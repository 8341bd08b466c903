"""Assembling dated IMACS core sets from facts, for the TIS and for "worsening".

A visit is a day with at least one core set measure. The muscle enzymes of a visit are the
latest values within ``core_set_window_days`` of it (docs/clinical-logic.md,
"total-improvement-score").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from cds_service.engine.concepts import MUSCLE_ENZYMES, STRENGTH_SCALE_MAXIMUM, Measure
from cds_service.engine.facts import LabResult, MeasureResult, PatientFacts
from cds_service.engine.response_tis import CoreSet, EnzymeLevel

CORE_MEASURES: tuple[Measure, ...] = (
    Measure.PHYSICIAN_GLOBAL_ACTIVITY,
    Measure.PATIENT_GLOBAL_ACTIVITY,
    Measure.HAQ_DI,
    Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY,
)


@dataclass(frozen=True, slots=True)
class Visit:
    """Core set readings of one day (any subset), with the facts they come from."""

    day: date
    values: dict[Measure, MeasureResult]
    enzymes: tuple[LabResult, ...]

    def number(self, measure: Measure) -> float | None:
        reading = self.values.get(measure)
        return None if reading is None else reading.number

    def strength(self, scale: Measure) -> float | None:
        return self.number(scale)

    def core_set(self, scale: Measure) -> CoreSet | None:
        """A complete core set on the given strength scale, or None."""
        numbers = [self.number(m) for m in CORE_MEASURES]
        strength = self.number(scale)
        levels = tuple(
            EnzymeLevel(r.analyte, ratio)
            for r in self.enzymes
            if (ratio := r.times_upper_limit) is not None
        )
        if strength is None or not levels or any(n is None for n in numbers):
            return None
        physician, patient, haq, extramuscular = (float(n or 0.0) for n in numbers)
        return CoreSet(
            day=self.day,
            physician_global_cm=physician,
            patient_global_cm=patient,
            strength=strength,
            strength_maximum=STRENGTH_SCALE_MAXIMUM[scale],
            function_haq=haq,
            extramuscular_global_cm=extramuscular,
            enzymes=levels,
        )

    @property
    def facts(self) -> tuple[MeasureResult | LabResult, ...]:
        return (*self.values.values(), *self.enzymes)


def visits(facts: PatientFacts, today: date, window_days: int) -> tuple[Visit, ...]:
    """Every day with a core set measure, oldest first."""
    wanted = set(CORE_MEASURES) | set(STRENGTH_SCALE_MAXIMUM)
    by_day: dict[date, dict[Measure, MeasureResult]] = {}
    for reading in sorted(facts.measures, key=lambda m: (m.effective, m.source.reference)):
        if reading.measure in wanted and reading.number is not None and reading.effective <= today:
            by_day.setdefault(reading.effective, {})[reading.measure] = reading
    window = timedelta(days=window_days)
    # Each enzyme's series once (not once per visit): a long chart has hundreds of visits and
    # thousands of results. The candidates of a visit are a slice found by bisection, in the
    # series' order, so the chosen result is the one a scan of the whole series would choose.
    series: list[tuple[tuple[LabResult, ...], list[date]]] = []
    for analyte in sorted(MUSCLE_ENZYMES, key=lambda a: a.value):
        results = tuple(r for r in facts.lab_series(analyte) if r.effective <= today)
        series.append((results, [r.effective for r in results]))
    result: list[Visit] = []
    for day in sorted(by_day):
        enzymes: list[LabResult] = []
        for results, days in series:
            near = results[bisect_left(days, day - window) : bisect_right(days, day + window)]
            if near:
                enzymes.append(min(near, key=lambda r: (abs(r.effective - day), r.effective)))
        result.append(Visit(day=day, values=by_day[day], enzymes=tuple(enzymes)))
    return tuple(result)
