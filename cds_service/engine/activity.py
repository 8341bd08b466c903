"""Step A: is the remaining disease active, or is it damage?

docs/clinical-logic.md "Activity and damage" says it in full. Activity items (any one sends the
patient to Step C, even with damage signs):
- a muscle enzyme above ``borderline_uln_ratio`` x ULN on its latest current value (AST/ALT
  alone count only as borderline: they also rise from liver causes such as MTX);
- STIR edema on the latest current MRI (an MRI older than ``fresh_mri_months`` is neither an
  activity nor a damage item);
- worsening: ProDERM "confirmed deterioration" or falling neck-flexor strength;
- active skin disease: extramuscular global activity >= ``extramuscular_activity_cm`` or a
  current rash sign;
- active lung disease, which needs current evidence: ILD progression read "yes" within
  ``lung_progression_weeks``, or the current FVC % predicted at least ``lung_fvc_drop_percent``
  (relative) below a result at most ``lung_fvc_window_weeks`` earlier. An active ILD Condition
  alone is not activity (it is shown beside lung activity as context).

Borderline: an enzyme between 1x and ``borderline_uln_ratio`` x ULN.
Damage: T1 fatty replacement on the latest current MRI without STIR edema.
Normal enzymes are shown as supporting damage evidence but never decide it on their own, and
not at all in anti-MDA5 disease, where CK is often normal despite activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cds_service.engine.concepts import (
    STRENGTH_SCALE_MAXIMUM,
    Analyte,
    Diagnosis,
    FattyReplacement,
    Measure,
)
from cds_service.engine.core_sets import Visit
from cds_service.engine.date_arithmetic import weeks_before
from cds_service.engine.evidence import (
    derived_evidence,
    diagnosis_evidence,
    lab_evidence,
    measure_evidence,
)
from cds_service.engine.facts import LabResult, MeasureResult, PatientFacts
from cds_service.engine.findings import Evidence
from cds_service.engine.readings import (
    FvcReading,
    MriReading,
    current_measures,
    fvc_series,
    fvc_value,
    lab_cutoff,
    latest_current_enzymes,
    latest_current_mri,
    measures_until,
    strength_series,
)
from cds_service.engine.thresholds import Thresholds

LIVER_SENSITIVE_ENZYMES: frozenset[Analyte] = frozenset({Analyte.AST, Analyte.ALT})
RASH_SIGNS: tuple[Measure, ...] = (
    Measure.HELIOTROPE_RASH,
    Measure.GOTTRON_PAPULES,
    Measure.GOTTRON_SIGN,
)
_VAS_OR_SCORE_WORSE_WHEN_HIGHER: tuple[Measure, ...] = (
    Measure.PHYSICIAN_GLOBAL_ACTIVITY,
    Measure.PATIENT_GLOBAL_ACTIVITY,
    Measure.HAQ_DI,
    Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY,
)


class ActivityState(StrEnum):
    ACTIVE = "active"
    DAMAGE = "damage"
    UNCLEAR = "unclear"
    QUIET = "quiet"


@dataclass(frozen=True, slots=True)
class ActivityAssessment:
    muscle_activity: tuple[Evidence, ...]
    extramuscular_activity: tuple[Evidence, ...]
    skin_activity: tuple[Evidence, ...]
    lung_activity: tuple[Evidence, ...]
    extramuscular_global: tuple[Evidence, ...]
    borderline: tuple[Evidence, ...]
    damage: tuple[Evidence, ...]
    damage_support: tuple[Evidence, ...]
    weakness: tuple[Evidence, ...]
    latest_enzymes: tuple[LabResult, ...]
    mri: MriReading | None
    strength_scale: Measure | None
    strength_readings: tuple[MeasureResult, ...]

    @property
    def activity(self) -> tuple[Evidence, ...]:
        return (*self.muscle_activity, *self.extramuscular_activity)

    @property
    def weakness_persists(self) -> bool:
        return bool(self.weakness)

    @property
    def symptoms_persist(self) -> bool:
        """Weakness (MMT/CMAS below maximum, FI-2 below best) or active skin/lung disease."""
        return self.weakness_persists or bool(self.extramuscular_activity)

    @property
    def enzymes_normal(self) -> bool:
        return bool(self.latest_enzymes) and all(
            (r.times_upper_limit or 0.0) <= 1.0 for r in self.latest_enzymes
        )

    @property
    def state(self) -> ActivityState:
        if self.activity:
            return ActivityState.ACTIVE
        if not self.weakness_persists:
            return ActivityState.QUIET
        if self.damage and not self.borderline:
            return ActivityState.DAMAGE
        return ActivityState.UNCLEAR


def assess_activity(
    facts: PatientFacts,
    thresholds: Thresholds,
    today: date,
    *,
    visits: tuple[Visit, ...],
    juvenile: bool,
    anti_mda5: bool,
) -> ActivityAssessment:
    enzymes = latest_current_enzymes(facts, thresholds, today)
    muscle: list[Evidence] = []
    borderline: list[Evidence] = []
    for result in enzymes:
        ratio = result.times_upper_limit
        if ratio is None or ratio <= 1.0:
            continue
        if (
            ratio > thresholds.borderline_uln_ratio
            and result.analyte not in LIVER_SENSITIVE_ENZYMES
        ):
            muscle.append(lab_evidence(result))
        else:
            borderline.append(lab_evidence(result))

    mri = latest_current_mri(facts, thresholds, today)
    if mri is not None and mri.shows_edema and mri.edema is not None:
        muscle.append(measure_evidence(mri.edema))

    neck = current_measures(facts, Measure.NECK_FLEXOR_STRENGTH, thresholds, today)
    neck_all = [
        m
        for m in measures_until(facts, Measure.NECK_FLEXOR_STRENGTH, today)
        if m.number is not None
    ]
    if neck and len(neck_all) >= 2 and neck_all[-1] is neck[-1]:
        before, latest = neck_all[-2], neck_all[-1]
        if (
            latest.number is not None
            and before.number is not None
            and latest.number < before.number
        ):
            muscle.append(measure_evidence(latest))
            muscle.append(measure_evidence(before))

    strength = strength_series(facts, today, prefer_cmas=juvenile)
    scale = strength[0] if strength is not None else None
    muscle.extend(confirmed_deterioration(visits, scale, thresholds, today))

    global_activity = _extramuscular_global(facts, thresholds, today)
    skin = [*global_activity, *_rash(facts, thresholds, today)]
    lung = lung_activity(facts, thresholds, today)
    extramuscular = [*skin, *lung]

    damage: list[Evidence] = []
    if (
        mri is not None
        and not mri.shows_edema
        and mri.fatty_replacement is not None
        and mri.fatty_replacement.grade not in (None, FattyReplacement.NONE)
    ):
        damage.append(measure_evidence(mri.fatty_replacement))
        if mri.edema is not None:
            damage.append(measure_evidence(mri.edema))

    support: list[Evidence] = []
    if enzymes and all((r.times_upper_limit or 0.0) <= 1.0 for r in enzymes):
        if anti_mda5:
            support.append(
                derived_evidence(
                    "Normal enzymes",
                    "not counted: CK is often normal in anti-MDA5 disease",
                    enzymes[-1].source.reference,
                    enzymes[-1].effective,
                )
            )
        else:
            support.extend(lab_evidence(r) for r in enzymes)

    weakness = _weakness(facts, thresholds, today, strength)
    return ActivityAssessment(
        muscle_activity=tuple(muscle),
        extramuscular_activity=tuple(extramuscular),
        skin_activity=tuple(skin),
        lung_activity=tuple(lung),
        extramuscular_global=tuple(global_activity),
        borderline=tuple(borderline),
        damage=tuple(damage),
        damage_support=tuple(support),
        weakness=tuple(weakness),
        latest_enzymes=enzymes,
        mri=mri,
        strength_scale=scale,
        strength_readings=strength[1] if strength is not None else (),
    )


def _weakness(
    facts: PatientFacts,
    thresholds: Thresholds,
    today: date,
    strength: tuple[Measure, tuple[MeasureResult, ...]] | None,
) -> list[Evidence]:
    cutoff = lab_cutoff(thresholds, today)
    weakness: list[Evidence] = []
    if strength is not None:
        scale, series = strength
        latest = series[-1]
        if (
            latest.effective >= cutoff
            and latest.number is not None
            and latest.number < STRENGTH_SCALE_MAXIMUM[scale]
        ):
            weakness.append(measure_evidence(latest))
    fi2 = [m for m in measures_until(facts, Measure.FI2, today) if m.number is not None]
    if len(fi2) >= 2 and fi2[-1].effective >= cutoff:
        best = max(fi2[:-1], key=lambda m: m.number or 0.0)
        if (fi2[-1].number or 0.0) < (best.number or 0.0):
            weakness.append(measure_evidence(fi2[-1]))
            weakness.append(measure_evidence(best))
    return weakness


def _extramuscular_global(
    facts: PatientFacts, thresholds: Thresholds, today: date
) -> list[Evidence]:
    """Extramuscular global activity (skin, joints, lung: one scale) >= the cut-off."""
    series = current_measures(facts, Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY, thresholds, today)
    numbers = [m for m in series if m.number is not None]
    if numbers and (numbers[-1].number or 0.0) >= thresholds.extramuscular_activity_cm:
        return [measure_evidence(numbers[-1])]
    return []


def _rash(facts: PatientFacts, thresholds: Thresholds, today: date) -> list[Evidence]:
    """A current rash sign (heliotrope rash, Gottron papules or sign) read "yes"."""
    found: list[Evidence] = []
    for measure in RASH_SIGNS:
        series = current_measures(facts, measure, thresholds, today)
        if series and series[-1].flag is True:
            found.append(measure_evidence(series[-1]))
    return found


def lung_activity(facts: PatientFacts, thresholds: Thresholds, today: date) -> list[Evidence]:
    """Current evidence of active lung disease (an ILD Condition alone is not activity).

    ILD progression read "yes" on its latest reading within ``lung_progression_weeks``, or the
    latest current FVC % predicted at least ``lung_fvc_drop_percent`` (relative) below a result
    at most ``lung_fvc_window_weeks`` before it. A stable or rising FVC with no current
    progression is a quiet lung. When the lung is active, the ILD Condition is shown with it.
    """
    found: list[Evidence] = []
    recent = weeks_before(today, thresholds.lung_progression_weeks)
    progression = [
        m for m in measures_until(facts, Measure.ILD_PROGRESSION, today) if m.flag is not None
    ]
    if progression and progression[-1].flag is True and progression[-1].effective >= recent:
        found.append(measure_evidence(progression[-1]))
    found.extend(_fvc_fall(facts, thresholds, today))
    if not found:
        return []
    conditions = [
        diagnosis_evidence(d)
        for d in facts.diagnoses
        if d.diagnosis is Diagnosis.INTERSTITIAL_LUNG_DISEASE and d.active
    ]
    return [*conditions, *found]


def _fvc_fall(facts: PatientFacts, thresholds: Thresholds, today: date) -> list[Evidence]:
    series = fvc_series(facts, today)
    if not series or series[-1].effective < lab_cutoff(thresholds, today):
        return []
    latest = series[-1]
    window = timedelta(weeks=thresholds.lung_fvc_window_weeks)
    earlier = [
        r
        for r in series[:-1]
        if r.effective < latest.effective
        and latest.effective - r.effective <= window
        and fvc_value(r) > 0
    ]
    if not earlier:
        return []
    best = max(earlier, key=lambda r: (fvc_value(r), r.effective))
    fall = (fvc_value(best) - fvc_value(latest)) / fvc_value(best) * 100.0
    if round(fall, 6) < thresholds.lung_fvc_drop_percent:
        return []
    return [
        derived_evidence(
            "FVC % predicted, relative fall",
            f"{fall:.0f}% in {(latest.effective - best.effective).days // 7} weeks",
            latest.source.reference,
            latest.effective,
        ),
        reading_evidence(latest),
        reading_evidence(best),
    ]


def reading_evidence(reading: FvcReading) -> Evidence:
    return lab_evidence(reading) if isinstance(reading, LabResult) else measure_evidence(reading)


def confirmed_deterioration(
    visits: tuple[Visit, ...], scale: Measure | None, thresholds: Thresholds, today: date
) -> list[Evidence]:
    """ProDERM "confirmed deterioration" at the last two visits vs the one before them.

    Each of the last two visits must meet at least one criterion against the baseline visit:
    physician global worse by >= 2 cm and MMT worse by >= 20 %; extramuscular global worse by
    >= 2 cm; or >= 3 of the 5 non-enzyme core measures worse by >= 30 % (relative to baseline).
    The last visit must be current (``fresh_labs_weeks``).
    """
    if len(visits) < 3:
        return []
    baseline, first, second = visits[-3], visits[-2], visits[-1]
    if second.day < lab_cutoff(thresholds, today):
        return []
    if not (
        _deteriorated(baseline, first, scale, thresholds)
        and _deteriorated(baseline, second, scale, thresholds)
    ):
        return []
    reference = next(iter(second.values.values())).source.reference
    return [
        derived_evidence(
            "Confirmed deterioration (ProDERM)",
            f"at {first.day.isoformat()} and {second.day.isoformat()} "
            f"vs {baseline.day.isoformat()}",
            reference,
            second.day,
        )
    ]


def _deteriorated(
    baseline: Visit, follow_up: Visit, scale: Measure | None, thresholds: Thresholds
) -> bool:
    def rise(measure: Measure) -> float | None:
        before, after = baseline.number(measure), follow_up.number(measure)
        return None if before is None or after is None else after - before

    strength_drop_percent: float | None = None
    if scale is not None:
        before, after = baseline.strength(scale), follow_up.strength(scale)
        if before is not None and after is not None and before > 0:
            strength_drop_percent = (before - after) / before * 100.0

    physician = rise(Measure.PHYSICIAN_GLOBAL_ACTIVITY)
    if (
        physician is not None
        and strength_drop_percent is not None
        and physician >= thresholds.deterioration_physician_global_cm
        and strength_drop_percent >= thresholds.deterioration_mmt_percent
    ):
        return True
    extramuscular = rise(Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY)
    if extramuscular is not None and extramuscular >= thresholds.deterioration_extramuscular_cm:
        return True

    worse = 0
    if (
        strength_drop_percent is not None
        and strength_drop_percent >= thresholds.deterioration_core_measure_percent
    ):
        worse += 1
    for measure in _VAS_OR_SCORE_WORSE_WHEN_HIGHER:
        before = baseline.number(measure)
        change = rise(measure)
        if before is None or change is None or before <= 0:
            continue
        if change / before * 100.0 >= thresholds.deterioration_core_measure_percent:
            worse += 1
    return worse >= thresholds.deterioration_core_measure_count
