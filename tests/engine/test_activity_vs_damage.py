"""reassess-activity-vs-damage and weakness-likely-damage (docs/clinical-logic.md)."""

from __future__ import annotations

from cds_service.engine.concepts import Agent, Analyte, Antibody, FattyReplacement, Measure
from cds_service.engine.facts import LabResult, MeasureResult, PatientFacts
from cds_service.engine.findings import FindingCode, Workup
from tests.engine.builders import (
    ago,
    antibody,
    ck,
    codes,
    fatty,
    first_line,
    flag,
    lab,
    med,
    number,
    only,
    patient,
    tsh,
)

DAMAGE = FindingCode.WEAKNESS_LIKELY_DAMAGE
REASSESS = FindingCode.REASSESS_ACTIVITY_VS_DAMAGE
ESCALATIONS = {FindingCode.ESCALATE_SECOND_LINE, FindingCode.ESCALATE_THIRD_LINE}


def _weak_patient(
    *mri: MeasureResult, labs: tuple[LabResult, ...] = (), mda5: bool = False, weeks: float = 16
) -> PatientFacts:
    return patient(
        labs=(*labs, tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MDA5 if mda5 else Antibody.MI2),),
        medications=first_line(weeks),
        measures=(number(Measure.MMT8_80, 60, ago(2)), *mri),
    )


def test_fatty_replacement_without_edema_and_normal_enzymes_is_damage() -> None:
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
        fatty(FattyReplacement.MODERATE, ago(4)),
        labs=(ck(150, ago(2)),),
    )
    found = codes(facts)
    assert DAMAGE in found
    assert not found & ESCALATIONS
    finding = only(facts, DAMAGE)
    assert any(e.value == "moderate" for e in finding.evidence)


def test_damage_with_edema_is_activity_and_escalates() -> None:
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, True, ago(4)),
        fatty(FattyReplacement.SEVERE, ago(4)),
        labs=(ck(150, ago(2)),),
    )
    found = codes(facts)
    assert FindingCode.ESCALATE_SECOND_LINE in found
    assert DAMAGE not in found


def test_borderline_enzyme_only_means_reassess() -> None:
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
        fatty(FattyReplacement.NONE, ago(4)),
        labs=(ck(260, ago(2)),),  # 1.3x ULN
    )
    finding = only(facts, REASSESS)
    assert finding.workup == (Workup.MUSCLE_BIOPSY,)  # a current MRI exists
    assert not codes(facts) & ESCALATIONS


def test_borderline_enzyme_with_damage_is_mixed_so_reassess() -> None:
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
        fatty(FattyReplacement.MILD, ago(4)),
        labs=(ck(260, ago(2)),),
    )
    assert REASSESS in codes(facts)
    assert DAMAGE not in codes(facts)


def test_missing_mri_is_a_gap_not_an_unclear_picture() -> None:
    # No MRI ever: the decision lacks its input; workup-incomplete asks for the MRI instead.
    facts = _weak_patient(labs=(ck(150, ago(2)),))
    found = codes(facts)
    assert REASSESS not in found
    assert Workup.THIGH_MRI_STIR in only(facts, FindingCode.WORKUP_INCOMPLETE).workup


def test_normal_ck_in_anti_mda5_is_not_taken_as_damage() -> None:
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
        fatty(FattyReplacement.NONE, ago(4)),
        labs=(ck(100, ago(2)),),
        mda5=True,
    )
    finding = only(facts, REASSESS)
    assert any("anti-MDA5" in e.value for e in finding.evidence)
    assert DAMAGE not in codes(facts)


def test_a_mimic_makes_the_unclear_card_redundant() -> None:
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
        labs=(ck(260, ago(2)), tsh(9.0, ago(1))),
    )
    found = codes(facts)
    assert FindingCode.SUSPECT_HYPOTHYROIDISM in found
    assert REASSESS not in found


def test_transaminases_alone_are_borderline_not_activity() -> None:
    # AST 3x ULN with normal CK/LDH (e.g. MTX liver toxicity): never an escalation on its own.
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
        labs=(ck(150, ago(2)), lab(Analyte.AST, 120, 40, ago(2))),
    )
    assert REASSESS in codes(facts)
    assert not codes(facts) & ESCALATIONS


def test_neither_card_before_the_refractory_window() -> None:
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
        fatty(FattyReplacement.MODERATE, ago(4)),
        labs=(ck(150, ago(2)),),
        weeks=8,
    )
    assert not codes(facts) & {DAMAGE, REASSESS}


def test_later_fatty_report_does_not_hide_an_edema_reading() -> None:
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, True, ago(10)),
        fatty(FattyReplacement.MILD, ago(2)),
        labs=(ck(150, ago(2)),),
    )
    assert FindingCode.ESCALATE_SECOND_LINE in codes(facts)


def test_falling_neck_flexors_count_as_activity() -> None:
    facts = _weak_patient(
        flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
        number(Measure.NECK_FLEXOR_STRENGTH, 8, ago(8)),
        number(Measure.NECK_FLEXOR_STRENGTH, 6, ago(2)),
        labs=(ck(150, ago(2)),),
    )
    assert FindingCode.ESCALATE_SECOND_LINE in codes(facts)


def test_proderm_confirmed_deterioration_counts_as_activity() -> None:
    # ProDERM criterion 1 at two consecutive visits against the visit before them:
    # physician global 3 -> 5.5 -> 6 cm (>= 2 cm worse) and MMT 70 -> 55 -> 54 (>= 20 % worse).
    # Glucocorticoid stopped 2 weeks ago, so the steroid-myopathy rule cannot apply.
    first_line_done = (
        med(Agent.PREDNISONE, ago(20), ago(2), dose=15, active=False),
        med(Agent.METHOTREXATE, ago(20)),
    )
    visits = (
        number(Measure.PHYSICIAN_GLOBAL_ACTIVITY, 3, ago(10)),
        number(Measure.MMT8_80, 70, ago(10)),
        number(Measure.PHYSICIAN_GLOBAL_ACTIVITY, 5.5, ago(6)),
        number(Measure.MMT8_80, 55, ago(6)),
        number(Measure.PHYSICIAN_GLOBAL_ACTIVITY, 6, ago(2)),
        number(Measure.MMT8_80, 54, ago(2)),
    )
    facts = patient(
        labs=(ck(150, ago(2)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=first_line_done,
        measures=(flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)), *visits),
    )
    finding = only(facts, FindingCode.ESCALATE_SECOND_LINE)
    assert any(e.label == "Confirmed deterioration (ProDERM)" for e in finding.evidence)
    # Only one deteriorated visit (the last back at baseline level) is not confirmed.
    unconfirmed = patient(
        labs=facts.labs,
        antibodies=facts.antibodies,
        medications=facts.medications,
        measures=(
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
            *visits[:4],
            number(Measure.PHYSICIAN_GLOBAL_ACTIVITY, 3, ago(2)),
            number(Measure.MMT8_80, 69, ago(2)),
        ),
    )
    assert FindingCode.ESCALATE_SECOND_LINE not in codes(unconfirmed)
