"""Clinical thresholds: documented, configurable defaults (docs/clinical-logic.md, "thresholds").

Every number a rule compares against lives here, with the section that motivates it. The
service reads overrides from a TOML file (``CDS_THRESHOLDS_FILE``); ``docs/clinical-logic.md``
lists each default. Most windows are design defaults, not validated values (docs/hazard-log.md,
"Residual risks and open items"). Comments cite the docs/clinical-logic.md section by its
title, and the primary source where there is one (Lundberg 2021: Arthritis Rheumatol
2021;73:1394-1407; ProDERM; Aggarwal 2017 for the TIS).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True, slots=True)
class Thresholds:
    # --- Refractoriness and time on therapy (docs "refractory-gate"; Lundberg 2021) ---
    # "refractory-gate" (Lundberg 2021): weeks of first-line therapy (GC + MTX/AZA) before
    # refractory.
    refractory_weeks: int = 12
    # "refractory-gate": weeks on a second-line agent before the third line.
    refractory_second_line_weeks: int = 12
    # "refractory-gate", the same in IMNM (anti-HMGCR / anti-SRP): shorter, fatty replacement is
    # early.
    refractory_second_line_weeks_imnm: int = 8
    # "refractory-gate": a line agent started fewer weeks ago than this cannot be judged yet.
    stable_dose_weeks: int = 4
    # Responding disease (docs: "refractory-gate"): MMT-8/CMAS up by at least this percent of
    # the scale maximum ...
    responding_strength_percent: float = 10.0
    # ... over at most this many weeks on the current line: not refractory.
    responding_window_weeks: int = 12
    # "refractory-gate", "a tapering course is one exposure": periods of one agent this close are
    # merged.
    exposure_gap_days: int = 7
    # Periodic infusions: administrations of one agent at most this many days apart are one
    # course, and the course is current until this many days after the last dose (design
    # defaults: usual dosing interval plus about a week of slack).
    infusion_interval_days_ivig: int = 35
    infusion_interval_days_rituximab: int = 183
    infusion_interval_days_cyclophosphamide: int = 35
    infusion_interval_days_abatacept: int = 35
    infusion_interval_days_methylprednisolone: int = 35

    # --- Freshness (docs "thresholds"; design defaults) ---
    # "Activity and damage": enzymes, strength scores and other measures count as current within
    # this window.
    fresh_labs_weeks: int = 12
    # "Activity and damage": an MRI counts as current within this many months of today.
    fresh_mri_months: int = 12
    # "thresholds" (design choice): how recent an antibody result must be to be read at all (None:
    # any age).
    antibody_max_age_days: int | None = None
    # A myositis antibody panel counts as done when at least this many myositis-specific
    # antibodies have a readable result (or any myositis antibody is positive). Design default.
    antibody_panel_min_specific: int = 3

    # --- Activity vs damage (docs "Activity and damage"; Lundberg 2021) ---
    # "Activity and damage": an enzyme between 1x and this multiple of ULN is "borderline", above it
    # "active".
    borderline_uln_ratio: float = 1.5
    # "Activity and damage": extramuscular global activity (VAS, cm) at or above this counts as
    # active.
    extramuscular_activity_cm: float = 2.0

    # --- ProDERM "confirmed deterioration" (docs "Activity and damage"), used as "worsening" ---
    # ProDERM: physician global activity worse by at least this many cm (together with MMT below).
    deterioration_physician_global_cm: float = 2.0
    # ProDERM: MMT worse by at least this percent (together with physician global above).
    deterioration_mmt_percent: float = 20.0
    # ProDERM: extramuscular global activity worse by at least this many cm.
    deterioration_extramuscular_cm: float = 2.0
    # ProDERM: this many of the 5 non-enzyme core set measures ...
    deterioration_core_measure_count: int = 3
    # ProDERM: ... each worse by at least this percent.
    deterioration_core_measure_percent: float = 30.0

    # --- Rapidly progressive ILD (docs "urgent-escalation") ---
    # "urgent-escalation": FVC % predicted falling by at least this relative percent ...
    fvc_relative_drop_percent: float = 10.0
    # "urgent-escalation": ... within at most this many weeks.
    fvc_drop_window_weeks: int = 12
    # docs/clinical-logic.md "urgent-escalation": ILD progression counts as rapid only within
    # this many weeks of the ILD's onset (its Condition's onset, else its first evidence).
    rp_ild_onset_weeks: int = 12
    # --- Lung activity (docs/clinical-logic.md "Activity and damage") ---
    # ILD progression read "yes" within this many weeks makes the lung active ...
    lung_progression_weeks: int = 12
    # ... as does the current FVC % predicted at least this relative percent below ...
    lung_fvc_drop_percent: float = 5.0
    # ... a result at most this many weeks earlier.
    lung_fvc_window_weeks: int = 26

    # --- Ages (docs "suspect-ibm", "malignancy-screening", "Which agent a card recommends") ---
    # Adult from this age (years); below it the juvenile sequence ("Which agent a card
    # recommends") and juvenile TIS thresholds ("total-improvement-score").
    adult_age_years: int = 18
    # "suspect-ibm": supporting clue "age > 50".
    ibm_supporting_age_years: int = 50
    # "suspect-ibm": supporting clue "CK normal or only moderately raised" (<= this multiple of
    # ULN).
    ibm_ck_moderate_uln_ratio: float = 15.0

    # --- Steroid myopathy firing rule (docs "suspect-steroid-myopathy") ---
    # "suspect-steroid-myopathy": prednisone-equivalent mg/day counted as a high glucocorticoid dose
    # ...
    steroid_high_dose_mg_per_day: float = 20.0
    # ... for at least this many weeks;
    steroid_high_dose_weeks: int = 4
    # ... or any glucocorticoid dose for at least this many weeks.
    steroid_any_dose_weeks: int = 12
    # "suspect-steroid-myopathy": MMT-8 / CMAS fall from its best since GC start, in percent of the
    # scale maximum.
    steroid_strength_drop_percent: float = 5.0
    # docs/clinical-logic.md "suspect-steroid-myopathy": a CK above ULN counts as falling when
    # lower than the CK before it and at most this fraction of the highest CK of the GC course.
    steroid_ck_fall_fraction: float = 0.5
    # ... the course's CKs including the baseline CK drawn at most this many days before its
    # first dose (the CK that led to the course).
    steroid_ck_baseline_days: int = 14

    # --- Total Improvement Score (docs "total-improvement-score"; Aggarwal 2017) ---
    # "total-improvement-score": enzyme and measures of one core set must lie within this many days
    # of each other.
    core_set_window_days: int = 7
    # "total-improvement-score", NOT VERIFIED: TIS enzyme range for CK, as a multiple of ULN
    # (from one public implementation, not the paper).
    tis_enzyme_range_ck_uln: float = 15.0
    # "total-improvement-score", NOT VERIFIED: TIS enzyme range for LDH, AST, ALT, aldolase, as a
    # multiple of ULN.
    tis_enzyme_range_other_uln: float = 3.0


def thresholds_from_mapping(overrides: Mapping[str, object]) -> Thresholds:
    """Defaults with the given overrides; unknown names or wrong types raise ValueError.

    An integer field accepts only whole numbers (``12`` or ``12.0``); a float field accepts any
    number; ``antibody_max_age_days`` also accepts ``None``.
    """
    known = {f.name: f for f in fields(Thresholds)}
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ValueError(f"unknown threshold(s): {', '.join(unknown)}")
    defaults = Thresholds()
    checked: dict[str, object] = {}
    for name, value in overrides.items():
        current = getattr(defaults, name)
        if value is None and name == "antibody_max_age_days":
            checked[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"threshold {name} must be a number")
        if not math.isfinite(value):
            raise ValueError(f"threshold {name} must be finite")
        if isinstance(current, int) or name == "antibody_max_age_days":
            if not float(value).is_integer():
                raise ValueError(f"threshold {name} must be a whole number")
            checked[name] = int(value)
        else:
            checked[name] = float(value)
        if checked[name] < 0:  # type: ignore[operator]
            raise ValueError(f"threshold {name} must not be negative")
    return replace(defaults, **checked)  # type: ignore[arg-type]
