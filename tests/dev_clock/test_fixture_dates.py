"""Fixture dates move with the evaluation day; nothing else in the document moves."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cds_service.fhir.fixture_dates import FIXTURE_ANCHOR, days_from_anchor, shift_dates
from tools.scenarios import EVALUATION_DATE


def test_the_anchor_is_the_day_the_scenarios_were_written_for() -> None:
    assert date.fromisoformat(EVALUATION_DATE) == FIXTURE_ANCHOR
    assert days_from_anchor(date(2026, 11, 25)) == 10


def test_dates_of_every_precision_move_and_codes_do_not() -> None:
    observation = {
        "resourceType": "Observation",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2157-6"}], "text": "2024"},
        "effectiveDateTime": "2026-11-10T08:30:00+01:00",
        "issued": "2026-11-10T09:00:00Z",
        "valueQuantity": {"value": 2024, "unit": "U/L", "code": "2024"},
        "effectivePeriod": {"start": "2026-02", "end": "2026"},
    }
    moved = shift_dates(observation, 30)
    assert moved["effectiveDateTime"] == "2026-12-10T08:30:00+01:00"
    assert moved["issued"] == "2026-12-10T09:00:00Z"
    assert moved["effectivePeriod"] == {"start": "2026-03", "end": "2026"}
    assert moved["code"] == observation["code"]
    assert moved["valueQuantity"] == observation["valueQuantity"]
    assert observation["effectiveDateTime"] == "2026-11-10T08:30:00+01:00"  # a copy


def test_a_birth_date_moves_so_that_ages_stay_the_same() -> None:
    patient = {"resourceType": "Patient", "birthDate": "2012-03-01"}
    moved = shift_dates(patient, 3 * 365 + 1)
    assert moved["birthDate"] == "2015-03-02"


def test_not_a_date_under_a_date_name_is_left_alone() -> None:
    assert shift_dates({"recordedDate": "unknown"}, 5) == {"recordedDate": "unknown"}
    assert shift_dates({"birthDate": "2026-02-30"}, 5) == {"birthDate": "2026-02-30"}


@given(
    first=st.dates(min_value=date(1950, 1, 1), max_value=date(2060, 1, 1)),
    gap=st.integers(min_value=0, max_value=4000),
    days=st.integers(min_value=-20000, max_value=20000),
)
def test_moving_keeps_every_interval_and_moves_back(first: date, gap: int, days: int) -> None:
    second = first + timedelta(days=gap)
    chart = {"onsetDateTime": first.isoformat(), "authoredOn": f"{second.isoformat()}T10:00:00Z"}
    moved = shift_dates(chart, days)
    start = date.fromisoformat(moved["onsetDateTime"])
    end = date.fromisoformat(moved["authoredOn"][:10])
    assert (start - first).days == days
    assert (end - start).days == gap
    assert shift_dates(moved, -days) == chart
