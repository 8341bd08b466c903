"""Core-set visits pick each visit's enzymes as a scan of the whole series would.

``visits`` finds each visit's candidate enzyme results by bisection in the series (a long
chart has hundreds of visits and thousands of results); this holds it equal to the plain scan.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cds_service.engine.concepts import MUSCLE_ENZYMES, Analyte, Measure
from cds_service.engine.core_sets import visits
from cds_service.engine.facts import LabResult, MeasureResult, PatientFacts, SourceRef

TODAY = date(2026, 11, 15)
ENZYMES = sorted(MUSCLE_ENZYMES, key=lambda a: a.value)


def scanned_enzymes(facts: PatientFacts, day: date, window_days: int) -> tuple[LabResult, ...]:
    """The reference: every result of the series looked at, for every visit."""
    window = timedelta(days=window_days)
    chosen: list[LabResult] = []
    for analyte in ENZYMES:
        near = [
            r
            for r in facts.lab_series(analyte)
            if abs(r.effective - day) <= window and r.effective <= TODAY
        ]
        if near:
            chosen.append(min(near, key=lambda r: (abs(r.effective - day), r.effective)))
    return tuple(chosen)


DAYS = st.integers(-400, 30).map(lambda n: TODAY + timedelta(days=n))
LABS = st.builds(
    lambda analyte, day, ident: LabResult(
        analyte=analyte,
        value=100.0,
        unit="U/L",
        effective=day,
        source=SourceRef(f"Observation/l{ident}"),
        reference_high=200.0,
    ),
    st.sampled_from([*ENZYMES, Analyte.TSH]),
    DAYS,
    st.integers(0, 30),
)
MEASURES = st.builds(
    lambda day, ident: MeasureResult(
        measure=Measure.PHYSICIAN_GLOBAL_ACTIVITY,
        effective=day,
        source=SourceRef(f"Observation/m{ident}"),
        number=3.0,
    ),
    DAYS,
    st.integers(0, 1000),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(LABS, max_size=40), st.lists(MEASURES, min_size=1, max_size=12), st.integers(0, 60))
def test_visit_enzymes_equal_a_scan_of_the_series(
    labs: list[LabResult], measures: list[MeasureResult], window_days: int
) -> None:
    facts = PatientFacts(labs=tuple(labs), measures=tuple(measures))
    found = visits(facts, TODAY, window_days)
    assert [v.day for v in found] == sorted({m.effective for m in measures if m.effective <= TODAY})
    for visit in found:
        assert visit.enzymes == scanned_enzymes(facts, visit.day, window_days)
