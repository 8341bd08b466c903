"""2016 ACR/EULAR Total Improvement Score (docs/clinical-logic.md), against hand working."""

from __future__ import annotations

from datetime import date

import pytest

from cds_service.engine.concepts import Analyte
from cds_service.engine.response_tis import (
    CoreMeasure,
    CoreSet,
    EnzymeLevel,
    EnzymeRange,
    Population,
    Response,
    points_for,
    response_for,
    score_percent_changes,
    total_improvement_score,
)


def test_worked_example_of_the_reference_is_65_major() -> None:
    # §3.5 worked example (adult), percent changes as given in the table:
    #   physician global 6 -> 3 cm  = 30 %   -> band >25-40  -> 17.5
    #   patient global   7 -> 5 cm  = 20 %   -> band >15-25  ->  5
    #   MMT-8 50 -> 60 of 80        = 12.5 % -> MMT band >10-20 -> 20
    #   HAQ 1.5 -> 1.0 of 3         = 16.7 % -> band >15-25  ->  7.5
    #   extramuscular 3 -> 2 cm     = 10 %   -> band >5-15   ->  7.5
    #   enzyme (calculator output)  = 45 %   -> band >40     ->  7.5
    #   total = 17.5 + 5 + 20 + 7.5 + 7.5 + 7.5 = 65 -> >= 60: major (adult)
    result = score_percent_changes(
        {
            CoreMeasure.PHYSICIAN_GLOBAL: 30.0,
            CoreMeasure.PATIENT_GLOBAL: 20.0,
            CoreMeasure.STRENGTH: 12.5,
            CoreMeasure.FUNCTION: 0.5 / 3 * 100,
            CoreMeasure.EXTRAMUSCULAR: 10.0,
            CoreMeasure.ENZYME: 45.0,
        },
        Population.ADULT,
    )
    assert result.points[CoreMeasure.PHYSICIAN_GLOBAL] == 17.5
    assert result.points[CoreMeasure.STRENGTH] == 20.0
    assert result.total == 65.0
    assert result.response is Response.MAJOR


def _core_set(
    day: date, *, phys: float, pat: float, mmt: float, haq: float, extra: float, ck_x_uln: float
) -> CoreSet:
    return CoreSet(day, phys, pat, mmt, 80.0, haq, extra, (EnzymeLevel(Analyte.CK, ck_x_uln),))


def test_from_two_dated_core_sets_matches_the_worked_example() -> None:
    # Same measures as the worked example; CK 8.0 -> 1.25 x ULN. With the (NOT VERIFIED)
    # default CK range of 15 x ULN: (8.0 - 1.25) / 15 * 100 = 45 % -> 7.5 points; total 65.
    baseline = _core_set(date(2025, 1, 1), phys=6, pat=7, mmt=50, haq=1.5, extra=3, ck_x_uln=8.0)
    follow = _core_set(date(2025, 4, 1), phys=3, pat=5, mmt=60, haq=1.0, extra=2, ck_x_uln=1.25)
    result = total_improvement_score(baseline, follow, Population.ADULT, EnzymeRange())
    assert result.percent_changes[CoreMeasure.ENZYME] == pytest.approx(45.0)
    assert result.total == 65.0
    assert result.response is Response.MAJOR
    assert result.enzyme_analyte is Analyte.CK


def test_enzyme_denominator_is_an_explicit_parameter() -> None:
    # With a CK range of 30 x ULN instead: 6.75 / 30 * 100 = 22.5 % -> 5 points; total 62.5.
    baseline = _core_set(date(2025, 1, 1), phys=6, pat=7, mmt=50, haq=1.5, extra=3, ck_x_uln=8.0)
    follow = _core_set(date(2025, 4, 1), phys=3, pat=5, mmt=60, haq=1.0, extra=2, ck_x_uln=1.25)
    result = total_improvement_score(
        baseline, follow, Population.ADULT, EnzymeRange(ck_uln_multiple=30.0)
    )
    assert result.points[CoreMeasure.ENZYME] == 5.0
    assert result.total == 62.5


def test_most_abnormal_enzyme_at_baseline_is_used_with_its_own_range() -> None:
    # LDH 2.5 x ULN is more abnormal than CK 1.2 x ULN; LDH range 3 x ULN:
    # (2.5 - 1.0) / 3 * 100 = 50 % -> 7.5 points.
    day0, day1 = date(2025, 1, 1), date(2025, 3, 1)
    base = CoreSet(
        day0, 5, 5, 60, 80, 1, 2, (EnzymeLevel(Analyte.CK, 1.2), EnzymeLevel(Analyte.LDH, 2.5))
    )
    follow = CoreSet(
        day1, 5, 5, 60, 80, 1, 2, (EnzymeLevel(Analyte.CK, 1.0), EnzymeLevel(Analyte.LDH, 1.0))
    )
    result = total_improvement_score(base, follow, Population.ADULT, EnzymeRange())
    assert result.enzyme_analyte is Analyte.LDH
    assert result.percent_changes[CoreMeasure.ENZYME] == pytest.approx(50.0)
    assert result.total == 7.5


@pytest.mark.parametrize(
    ("measure", "percent", "points"),
    [
        (CoreMeasure.PHYSICIAN_GLOBAL, 15.0, 7.5),  # on the cut-point: lower band
        (CoreMeasure.PHYSICIAN_GLOBAL, 15.01, 15.0),
        (CoreMeasure.PHYSICIAN_GLOBAL, 5.0, 0.0),
        (CoreMeasure.PHYSICIAN_GLOBAL, -30.0, 0.0),  # worsening scores nothing
        (CoreMeasure.FUNCTION, 40.0, 7.5),
        (CoreMeasure.FUNCTION, 40.5, 10.0),
        (CoreMeasure.STRENGTH, 2.0, 0.0),  # MMT special cut-points 2/10/20/30
        (CoreMeasure.STRENGTH, 2.5, 10.0),
        (CoreMeasure.STRENGTH, 10.0, 10.0),
        (CoreMeasure.STRENGTH, 30.0, 27.5),
        (CoreMeasure.STRENGTH, 30.5, 32.5),
        (CoreMeasure.EXTRAMUSCULAR, 41.0, 20.0),
    ],
)
def test_band_edges(measure: CoreMeasure, percent: float, points: float) -> None:
    assert points_for(measure, percent) == points


def test_floating_point_change_on_a_cut_point_stays_in_the_lower_band() -> None:
    # 6.0 -> 4.5 cm is 1.5 / 10 = 15 % exactly (computed as 15.000000000000002 in floats).
    baseline = _core_set(date(2025, 1, 1), phys=6.0, pat=5, mmt=60, haq=1, extra=2, ck_x_uln=1)
    follow = _core_set(date(2025, 2, 1), phys=4.5, pat=5, mmt=60, haq=1, extra=2, ck_x_uln=1)
    result = total_improvement_score(baseline, follow, Population.ADULT, EnzymeRange())
    assert result.points[CoreMeasure.PHYSICIAN_GLOBAL] == 7.5


@pytest.mark.parametrize(
    ("total", "adult", "juvenile"),
    [
        (19.5, Response.NONE, Response.NONE),
        (20.0, Response.MINIMAL, Response.NONE),
        (30.0, Response.MINIMAL, Response.MINIMAL),
        (40.0, Response.MODERATE, Response.MINIMAL),
        (45.0, Response.MODERATE, Response.MODERATE),
        (60.0, Response.MAJOR, Response.MODERATE),
        (70.0, Response.MAJOR, Response.MAJOR),
    ],
)
def test_adult_and_juvenile_thresholds(total: float, adult: Response, juvenile: Response) -> None:
    assert response_for(total, Population.ADULT) is adult
    assert response_for(total, Population.JUVENILE) is juvenile


def test_juvenile_cmas_scale() -> None:
    # CMAS 30 -> 40 of 52: 10 / 52 = 19.2 % -> MMT/CMAS band >10-20 -> 20 points; nothing else.
    day0, day1 = date(2025, 1, 1), date(2025, 3, 1)
    base = CoreSet(day0, 4, 4, 30, 52, 1, 1, (EnzymeLevel(Analyte.CK, 1.0),))
    follow = CoreSet(day1, 4, 4, 40, 52, 1, 1, (EnzymeLevel(Analyte.CK, 1.0),))
    result = total_improvement_score(base, follow, Population.JUVENILE, EnzymeRange())
    assert result.total == 20.0
    assert result.response is Response.NONE  # juvenile minimal needs >= 30


def test_incomplete_input_is_refused() -> None:
    with pytest.raises(ValueError, match="missing"):
        score_percent_changes({CoreMeasure.STRENGTH: 10.0}, Population.ADULT)
    base = CoreSet(date(2025, 1, 1), 4, 4, 30, 80, 1, 1, (EnzymeLevel(Analyte.CK, 1.0),))
    other_scale = CoreSet(date(2025, 2, 1), 4, 4, 30, 150, 1, 1, (EnzymeLevel(Analyte.CK, 1.0),))
    with pytest.raises(ValueError, match="scale"):
        total_improvement_score(base, other_scale, Population.ADULT, EnzymeRange())
