"""Thresholds: defaults (docs/clinical-logic.md, "thresholds"), and overrides from a mapping."""

from __future__ import annotations

from dataclasses import fields

import pytest

from cds_service.engine.thresholds import Thresholds, thresholds_from_mapping


def test_defaults_match_the_reference() -> None:
    t = Thresholds()
    assert (
        t.refractory_weeks,
        t.refractory_second_line_weeks,
        t.refractory_second_line_weeks_imnm,
    ) == (12, 12, 8)
    assert (t.stable_dose_weeks, t.fresh_labs_weeks, t.fresh_mri_months) == (4, 12, 12)
    assert (t.borderline_uln_ratio, t.extramuscular_activity_cm) == (1.5, 2.0)
    assert (t.fvc_relative_drop_percent, t.fvc_drop_window_weeks) == (10.0, 12)
    assert (t.adult_age_years, t.ibm_supporting_age_years) == (18, 50)
    assert (
        t.steroid_high_dose_mg_per_day,
        t.steroid_high_dose_weeks,
        t.steroid_any_dose_weeks,
    ) == (20.0, 4, 12)
    assert t.steroid_strength_drop_percent == 5.0


def test_every_field_can_be_overridden() -> None:
    for field in fields(Thresholds):
        if field.name == "antibody_max_age_days":
            value: object = 365
        else:
            value = getattr(Thresholds(), field.name) + 1
        assert getattr(thresholds_from_mapping({field.name: value}), field.name) == value


def test_whole_number_floats_are_accepted_for_integer_fields() -> None:
    assert thresholds_from_mapping({"refractory_weeks": 16.0}).refractory_weeks == 16
    assert thresholds_from_mapping({"antibody_max_age_days": None}).antibody_max_age_days is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"no_such_threshold": 1},
        {"refractory_weeks": "12"},
        {"refractory_weeks": True},
        {"refractory_weeks": 12.5},
        {"borderline_uln_ratio": -1.0},
        {"borderline_uln_ratio": float("nan")},
    ],
)
def test_bad_overrides_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="threshold"):
        thresholds_from_mapping(overrides)
