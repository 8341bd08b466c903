"""2016 ACR/EULAR response criteria: the Total Improvement Score (docs/clinical-logic.md,
"total-improvement-score").

Pure calculator: two dated core sets in, a score and a response category out.

1. For each of the six IMACS core set measures, the absolute percent change is the change
   from baseline divided by the measure's possible range, times 100; improvement is positive
   (an increase for MMT/CMAS, a decrease for the others).
2. Each change maps to points by the §3.5 table; values exactly on a cut-point fall in the
   lower band; the MMT/CMAS row has its own cut-points (2, 10, 20, 30 %).
3. The points add up to 0..100; the category follows the adult or juvenile thresholds.

**Enzyme denominator: NOT VERIFIED** (§3.5). The range of the muscle-enzyme measure is an
explicit parameter (:class:`EnzymeRange`), in multiples of the ULN. Its defaults (15 x ULN for
CK, 3 x ULN for LDH, AST, ALT and aldolase) come from one public implementation [S20] and were
not confirmed against the paper or the IMACS calculator; the service takes them from
``Thresholds.tis_enzyme_range_ck_uln`` / ``tis_enzyme_range_other_uln`` so a deployment can
set the verified values. The enzyme used is the most abnormal one at baseline [S18].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cds_service.engine.concepts import Analyte

REFERENCE_SECTION = "total-improvement-score"


class Population(StrEnum):
    ADULT = "adult"
    JUVENILE = "juvenile"


class CoreMeasure(StrEnum):
    PHYSICIAN_GLOBAL = "physician-global-activity"
    PATIENT_GLOBAL = "patient-global-activity"
    STRENGTH = "mmt-or-cmas"
    FUNCTION = "haq-or-chaq"
    ENZYME = "muscle-enzyme"
    EXTRAMUSCULAR = "extramuscular-global-activity"


class Response(StrEnum):
    NONE = "no improvement"
    MINIMAL = "minimal improvement"
    MODERATE = "moderate improvement"
    MAJOR = "major improvement"


# §3.5: upper edges (inclusive) of the first four bands, in percent; above the last: top band.
DEFAULT_BAND_EDGES: tuple[float, float, float, float] = (5.0, 15.0, 25.0, 40.0)
STRENGTH_BAND_EDGES: tuple[float, float, float, float] = (2.0, 10.0, 20.0, 30.0)

# §3.5 table: points per band (<= first edge, ..., > last edge).
POINTS: dict[CoreMeasure, tuple[float, float, float, float, float]] = {
    CoreMeasure.PHYSICIAN_GLOBAL: (0.0, 7.5, 15.0, 17.5, 20.0),
    CoreMeasure.PATIENT_GLOBAL: (0.0, 2.5, 5.0, 7.5, 10.0),
    CoreMeasure.STRENGTH: (0.0, 10.0, 20.0, 27.5, 32.5),
    CoreMeasure.FUNCTION: (0.0, 5.0, 7.5, 7.5, 10.0),
    CoreMeasure.ENZYME: (0.0, 2.5, 5.0, 7.5, 7.5),
    CoreMeasure.EXTRAMUSCULAR: (0.0, 7.5, 12.5, 15.0, 20.0),
}

# §3.5 thresholds (minimal, moderate, major), each inclusive.
RESPONSE_THRESHOLDS: dict[Population, tuple[float, float, float]] = {
    Population.ADULT: (20.0, 40.0, 60.0),
    Population.JUVENILE: (30.0, 45.0, 70.0),
}

VAS_RANGE_CM = 10.0  # §3.5: VAS 0-10 cm
HAQ_RANGE = 3.0  # §3.5: HAQ / CHAQ 0-3


@dataclass(frozen=True, slots=True)
class EnzymeRange:
    """Range of the TIS enzyme measure in multiples of ULN. NOT VERIFIED (§3.5); see module doc."""

    ck_uln_multiple: float = 15.0
    other_uln_multiple: float = 3.0

    def for_analyte(self, analyte: Analyte) -> float:
        return self.ck_uln_multiple if analyte is Analyte.CK else self.other_uln_multiple


@dataclass(frozen=True, slots=True)
class EnzymeLevel:
    analyte: Analyte
    times_uln: float


@dataclass(frozen=True, slots=True)
class CoreSet:
    """One visit's IMACS core set. ``strength_maximum`` is 80 or 150 for MMT-8, 52 for CMAS."""

    day: date
    physician_global_cm: float
    patient_global_cm: float
    strength: float
    strength_maximum: float
    function_haq: float
    extramuscular_global_cm: float
    enzymes: tuple[EnzymeLevel, ...]


@dataclass(frozen=True, slots=True)
class TisResult:
    population: Population
    percent_changes: Mapping[CoreMeasure, float]
    points: Mapping[CoreMeasure, float]
    total: float
    response: Response
    enzyme_analyte: Analyte | None = None
    baseline_day: date | None = None
    follow_up_day: date | None = None

    @property
    def improved(self) -> bool:
        """At least minimal improvement."""
        return self.response is not Response.NONE


def points_for(measure: CoreMeasure, percent_change: float) -> float:
    """Points of one measure for an improvement of ``percent_change`` % of its range."""
    edges = STRENGTH_BAND_EDGES if measure is CoreMeasure.STRENGTH else DEFAULT_BAND_EDGES
    # Rounding first keeps a change of exactly 15 % (e.g. 1.5 of 10 cm) on its cut-point.
    change = round(percent_change, 6)
    band = sum(1 for edge in edges if change > edge)
    return POINTS[measure][band]


def response_for(total: float, population: Population) -> Response:
    minimal, moderate, major = RESPONSE_THRESHOLDS[population]
    score = round(total, 6)
    if score >= major:
        return Response.MAJOR
    if score >= moderate:
        return Response.MODERATE
    if score >= minimal:
        return Response.MINIMAL
    return Response.NONE


def score_percent_changes(
    changes: Mapping[CoreMeasure, float], population: Population
) -> TisResult:
    """TIS from the six percent changes (improvement positive); all six must be given."""
    missing = [m.value for m in CoreMeasure if m not in changes]
    if missing:
        raise ValueError(f"TIS needs all six core set measures; missing: {', '.join(missing)}")
    points = {m: points_for(m, changes[m]) for m in CoreMeasure}
    total = round(sum(points.values()), 6)
    return TisResult(
        population=population,
        percent_changes=dict(changes),
        points=points,
        total=total,
        response=response_for(total, population),
    )


def percent_changes(
    baseline: CoreSet, follow_up: CoreSet, enzyme_range: EnzymeRange
) -> tuple[dict[CoreMeasure, float], Analyte]:
    """Percent-of-range improvements between two core sets, and the enzyme used."""
    if baseline.strength_maximum != follow_up.strength_maximum or baseline.strength_maximum <= 0:
        raise ValueError("both core sets need the same strength scale")
    if not baseline.enzymes:
        raise ValueError("the baseline core set has no muscle enzyme")
    worst = max(baseline.enzymes, key=lambda e: (e.times_uln, e.analyte.value))
    later = next((e for e in follow_up.enzymes if e.analyte is worst.analyte), None)
    if later is None:
        raise ValueError(f"the follow-up core set has no {worst.analyte.value}")
    enzyme_span = enzyme_range.for_analyte(worst.analyte)
    if enzyme_span <= 0:
        raise ValueError("the enzyme range must be positive")

    def decrease(before: float, after: float, span: float) -> float:
        return (before - after) / span * 100.0

    changes = {
        CoreMeasure.PHYSICIAN_GLOBAL: decrease(
            baseline.physician_global_cm, follow_up.physician_global_cm, VAS_RANGE_CM
        ),
        CoreMeasure.PATIENT_GLOBAL: decrease(
            baseline.patient_global_cm, follow_up.patient_global_cm, VAS_RANGE_CM
        ),
        CoreMeasure.STRENGTH: (follow_up.strength - baseline.strength)
        / baseline.strength_maximum
        * 100.0,
        CoreMeasure.FUNCTION: decrease(baseline.function_haq, follow_up.function_haq, HAQ_RANGE),
        CoreMeasure.ENZYME: decrease(worst.times_uln, later.times_uln, enzyme_span),
        CoreMeasure.EXTRAMUSCULAR: decrease(
            baseline.extramuscular_global_cm, follow_up.extramuscular_global_cm, VAS_RANGE_CM
        ),
    }
    return changes, worst.analyte


def total_improvement_score(
    baseline: CoreSet,
    follow_up: CoreSet,
    population: Population,
    enzyme_range: EnzymeRange,
) -> TisResult:
    """The TIS between two dated core sets (§3.5)."""
    changes, analyte = percent_changes(baseline, follow_up, enzyme_range)
    result = score_percent_changes(changes, population)
    return TisResult(
        population=result.population,
        percent_changes=result.percent_changes,
        points=result.points,
        total=result.total,
        response=result.response,
        enzyme_analyte=analyte,
        baseline_day=baseline.day,
        follow_up_day=follow_up.day,
    )
