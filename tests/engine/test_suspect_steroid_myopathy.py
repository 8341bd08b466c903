"""suspect-steroid-myopathy (docs/clinical-logic.md "suspect-steroid-myopathy")."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cds_service.engine.concepts import Agent, Analyte, Antibody, DrugClass, Measure
from cds_service.engine.facts import (
    DoseStep,
    LabResult,
    MeasureResult,
    MedicationExposure,
    PatientFacts,
    SourceRef,
)
from cds_service.engine.findings import FindingCode
from tests.engine.builders import (
    ago,
    antibody,
    ck,
    codes,
    flag,
    lab,
    med,
    number,
    only,
    patient,
    tsh,
)

CODE = FindingCode.SUSPECT_STEROID_MYOPATHY


def _patient(
    *,
    steroid: tuple[MedicationExposure, ...] | None = None,
    mmt_latest: float = 64,
    labs: tuple[LabResult, ...] | None = None,
    edema: bool = False,
    mri_weeks_ago: float = 2,
    extra: tuple[MeasureResult, ...] = (),
) -> PatientFacts:
    """Prednisone 30 mg/day for 10 weeks + MTX; MMT-8 best 70 (3 weeks ago), latest given."""
    meds = steroid if steroid is not None else (med(Agent.PREDNISONE, ago(10), dose=30),)
    return patient(
        labs=labs if labs is not None else (ck(150, ago(1)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=(*meds, med(Agent.METHOTREXATE, ago(10))),
        measures=(
            number(Measure.MMT8_80, 66, ago(9)),
            number(Measure.MMT8_80, 70, ago(3)),
            number(Measure.MMT8_80, mmt_latest, ago(1)),
            flag(Measure.MRI_MUSCLE_EDEMA, edema, ago(mri_weeks_ago)),
            *extra,
        ),
    )


def test_fires_when_every_condition_holds() -> None:
    # Fall from best 70 to 64 = 6 of 80 = 7.5 % of the scale maximum (>= 5 %).
    finding = only(_patient(), CODE)
    assert finding.evidence[0].label == "Glucocorticoid exposure"


@pytest.mark.parametrize(("latest", "fires"), [(66, True), (67, False)])
def test_strength_fall_boundary(latest: float, fires: bool) -> None:
    # 70 -> 66 is exactly 4/80 = 5 %: fires; 70 -> 67 is 3.75 %: does not.
    assert (CODE in codes(_patient(mmt_latest=latest))) is fires


def test_edema_on_mri_blocks() -> None:
    assert CODE not in codes(_patient(edema=True))


def test_rising_ck_above_uln_blocks_but_falling_ck_fires() -> None:
    rising = (ck(500, ago(6)), ck(700, ago(1)), tsh(2.0, ago(20)))
    # 900 -> 300 U/L (1.5x ULN 200): lower than the CK before it and at most half the peak.
    falling = (ck(900, ago(6)), ck(300, ago(1)), tsh(2.0, ago(20)))
    assert CODE not in codes(_patient(labs=rising))
    assert CODE in codes(_patient(labs=falling))


@pytest.mark.parametrize(
    ("latest", "fires"), [(300, True), (301, True), (2000, True), (2001, False), (3000, False)]
)
def test_falling_ck_means_at_most_half_the_course_peak(latest: float, fires: bool) -> None:
    # CK 4000 -> 2000 (10x ULN) has halved under glucocorticoids: falling, however far above
    # ULN. 4000 -> 3000 (15x ULN) has not: still active myositis (hazard H2).
    labs = (ck(4000, ago(6)), ck(latest, ago(1)), tsh(2.0, ago(20)))
    assert (CODE in codes(_patient(labs=labs))) is fires


def test_falling_ck_must_be_lower_than_the_ck_before_it() -> None:
    # Peak 4000, then 500, now 900: at most half the peak but rising again -> not falling.
    labs = (ck(4000, ago(8)), ck(500, ago(5)), ck(900, ago(1)), tsh(2.0, ago(20)))
    assert CODE not in codes(_patient(labs=labs))


def test_the_peak_is_taken_within_the_current_course() -> None:
    # The 4000 predates the prednisone course (10 weeks): the course peak is 800 -> 500 is not
    # at most half of it.
    labs = (ck(4000, ago(20)), ck(800, ago(6)), ck(500, ago(1)), tsh(2.0, ago(20)))
    assert CODE not in codes(_patient(labs=labs))


def test_card_shows_the_ck_series_of_the_course() -> None:
    series = (ck(4000, ago(9)), ck(2600, ago(5)), ck(700, ago(1)))
    finding = only(_patient(labs=(*series, tsh(2.0, ago(20)))), CODE)
    shown = {e.reference for e in finding.evidence}
    assert {r.source.reference for r in series} <= shown


def test_high_dose_weeks_count_anywhere_in_the_course() -> None:
    # 40 mg for 5 weeks, then tapered to 10 mg for 5 weeks (10 weeks < 12 at any dose): the
    # high-dose weeks need not be the last ones.
    taper = (
        med(Agent.PREDNISONE, ago(10), ago(5, days=1), dose=40, active=False),
        med(Agent.PREDNISONE, ago(5), dose=10),
    )
    assert CODE in codes(_patient(steroid=taper))


def test_high_dose_weeks_add_up_over_the_course() -> None:
    # 2 + 2 weeks at 30 mg with 10 mg between and after: 4 weeks in total at >= 20 mg/day.
    course = (
        med(Agent.PREDNISONE, ago(10), ago(8), dose=30, active=False),
        med(Agent.PREDNISONE, ago(8, days=-1), ago(6, days=1), dose=10, active=False),
        med(Agent.PREDNISONE, ago(6), ago(4), dose=30, active=False),
        med(Agent.PREDNISONE, ago(4, days=-1), dose=10),
    )
    assert CODE in codes(_patient(steroid=course))


@pytest.mark.parametrize(("mri_weeks_ago", "fires"), [(10, True), (11, False), (40, False)])
def test_mri_without_edema_must_date_from_the_glucocorticoid_course(
    mri_weeks_ago: float, fires: bool
) -> None:
    # The course started 10 weeks ago: an edema-free MRI from before it says nothing about now.
    assert (CODE in codes(_patient(mri_weeks_ago=mri_weeks_ago))) is fires


def test_falling_neck_flexors_block() -> None:
    neck = (
        number(Measure.NECK_FLEXOR_STRENGTH, 9, ago(6)),
        number(Measure.NECK_FLEXOR_STRENGTH, 7, ago(1)),
    )
    assert CODE not in codes(_patient(extra=neck))


@pytest.mark.parametrize(
    ("steroid", "fires"),
    [
        ((med(Agent.PREDNISONE, ago(10), dose=15),), False),  # < 20 mg and < 12 weeks
        ((med(Agent.PREDNISONE, ago(13), dose=10),), True),  # any dose >= 12 weeks
        ((med(Agent.PREDNISONE, ago(3.5), dose=40),), False),  # high dose < 4 weeks
        ((med(Agent.PREDNISONE, ago(4), dose=20),), True),  # 20 mg for exactly 4 weeks
        ((med(Agent.PREDNISONE, ago(20), ago(2), dose=30, active=False),), False),  # stopped
    ],
)
def test_dose_and_duration(steroid: tuple[MedicationExposure, ...], fires: bool) -> None:
    assert (CODE in codes(_patient(steroid=steroid))) is fires


def test_fall_is_measured_from_the_best_value_since_the_course_started() -> None:
    # Best-ever 78 predates the prednisone course (started 4 weeks ago): only 70 -> 64 counts.
    facts = _patient(
        steroid=(med(Agent.PREDNISONE, ago(7), dose=30),),
        extra=(number(Measure.MMT8_80, 78, ago(30)),),
    )
    finding = only(facts, CODE)
    assert "78" not in {e.value for e in finding.evidence}


def _escalating(*extra: MeasureResult) -> PatientFacts:
    """16 weeks on prednisone 30 mg + MTX; aldolase 3x ULN (a muscle activity item), CK
    normal, no MRI edema, MMT falling: escalate-second-line holds, and so does this rule."""
    return patient(
        labs=(ck(150, ago(1)), lab(Analyte.ALDOLASE, 24, 8, ago(1)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=(med(Agent.PREDNISONE, ago(16), dose=30), med(Agent.METHOTREXATE, ago(16))),
        measures=(
            number(Measure.MMT8_80, 70, ago(6)),
            number(Measure.MMT8_80, 62, ago(1)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(2)),
            *extra,
        ),
    )


def test_suppresses_escalation_in_an_otherwise_escalating_patient() -> None:
    found = codes(_escalating())
    assert CODE in found
    assert FindingCode.ESCALATE_SECOND_LINE not in found


def test_skin_driven_escalation_stays_and_shows_only_the_skin() -> None:
    # The same patient with extramuscular global activity 3 cm: the escalation for it stays,
    # told for the extramuscular disease alone (no aldolase, no strength rows).
    facts = _escalating(number(Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY, 3, ago(1)))
    assert CODE in codes(facts)
    card = only(facts, FindingCode.ESCALATE_SECOND_LINE)
    assert card.extramuscular_only
    assert "extramuscular" in card.reason
    labels = {e.label for e in card.evidence}
    assert not any("ldolase" in label or "MMT" in label for label in labels)


def test_a_ck_from_before_the_course_alone_is_not_falling() -> None:
    # Found by the property tests: 40 mg for 5 weeks, the last CK (900, 8 weeks ago) predates
    # the course, so the course has no CK series; a raised CK then is not "falling".
    labs = (ck(4000, ago(10)), ck(900, ago(8)), tsh(2.0, ago(20)))
    facts = _patient(labs=labs, steroid=(med(Agent.PREDNISONE, ago(5), dose=40),))
    assert CODE not in codes(facts)
    normal = (ck(4000, ago(10)), ck(150, ago(8)), tsh(2.0, ago(20)))
    assert CODE in codes(_patient(labs=normal, steroid=(med(Agent.PREDNISONE, ago(5), dose=40),)))


def test_high_dose_steps_of_a_taper_written_as_one_request_count() -> None:
    # One request: 40 mg for 5 weeks, then 10 mg (today's dose): 10 weeks in all, < 12 at any
    # dose, so only the earlier high-dose step can qualify the exposure.
    taper = MedicationExposure(
        agent=Agent.PREDNISONE,
        drug_class=DrugClass.GLUCOCORTICOID,
        active=True,
        source=SourceRef("MedicationRequest/taper"),
        start=ago(10),
        daily_dose_mg=10,
        line=1,
        dose_steps=(DoseStep(ago(10), ago(5, days=1), 40.0), DoseStep(ago(5), None, 10.0)),
    )
    assert CODE in codes(_patient(steroid=(taper,)))
    today_dose_only = replace(taper, dose_steps=())
    assert CODE not in codes(_patient(steroid=(today_dose_only,)))


def test_the_ck_that_led_to_the_course_is_its_baseline() -> None:
    # Course started 10 weeks ago; CK 4000 drawn 11 days before the first dose, 900 now: the
    # baseline counts, so 900 has fallen below half of it. Drawn 3 weeks before: it does not.
    steroid = (med(Agent.PREDNISONE, ago(10), dose=30),)
    baseline = (ck(4000, ago(10, days=11)), ck(900, ago(1)), tsh(2.0, ago(20)))
    older = (ck(4000, ago(13)), ck(900, ago(1)), tsh(2.0, ago(20)))
    assert CODE in codes(_patient(labs=baseline, steroid=steroid))
    assert CODE not in codes(_patient(labs=older, steroid=steroid))
