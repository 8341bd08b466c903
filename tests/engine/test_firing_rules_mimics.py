"""The firing rules settled on the mimic and activity side (docs/clinical-logic.md): statin
without a gate, treated hypothyroidism, stale MRI, adult age, unreadable values, coded IBM,
mimics before the gate, rapidly progressive ILD and lung activity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cds_service.engine import assess
from cds_service.engine.concepts import (
    Agent,
    Analyte,
    Antibody,
    Diagnosis,
    FattyReplacement,
    Measure,
)
from cds_service.engine.facts import (
    DataIssue,
    DiagnosisFact,
    LabResult,
    MeasureResult,
    MedicationExposure,
    PatientFacts,
)
from cds_service.engine.findings import FindingCode, Workup
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import (
    TODAY,
    ago,
    antibody,
    ck,
    codes,
    diagnosis,
    fatty,
    first_line,
    flag,
    lab,
    med,
    number,
    only,
    patient,
    refractory_active_dm,
    tsh,
)

ESCALATIONS = {FindingCode.ESCALATE_SECOND_LINE, FindingCode.ESCALATE_THIRD_LINE}


# --- statin-and-hmgcr: no gate; a statin stopped before today does not fire -------------


def _hmgcr(*meds: MedicationExposure, diagnoses: tuple[DiagnosisFact, ...] = ()) -> PatientFacts:
    return patient(
        diagnoses=diagnoses,
        antibodies=(antibody(Antibody.HMGCR, when=ago(3)),),
        medications=meds,
    )


def test_statin_and_hmgcr_fires_from_the_first_day_without_gate_or_diagnosis() -> None:
    statin = med(Agent.ATORVASTATIN, ago(100))
    steroid_started_today = med(Agent.PREDNISONE, TODAY, dose=60)
    assert FindingCode.STATIN_AND_HMGCR in codes(_hmgcr(statin, steroid_started_today))
    assert FindingCode.STATIN_AND_HMGCR in codes(
        _hmgcr(statin, diagnoses=(diagnosis(Diagnosis.POLYMYOSITIS),))
    )


def test_a_statin_stopped_before_today_does_not_fire_but_one_ending_today_does() -> None:
    yesterday = med(Agent.ATORVASTATIN, ago(100), ago(0, days=1), active=True)
    today = med(Agent.ATORVASTATIN, ago(100), TODAY, active=True)
    assert FindingCode.STATIN_AND_HMGCR not in codes(_hmgcr(yesterday))
    assert FindingCode.STATIN_AND_HMGCR in codes(_hmgcr(today))


# --- suspect-hypothyroidism: treated hypothyroidism --------------------------------------


def _thyroid(*labs: LabResult) -> PatientFacts:
    """Refractory active DM (CK 6x ULN, edema, 16 weeks of first line) with hypothyroidism."""
    base = refractory_active_dm(diagnoses=(diagnosis(), diagnosis(Diagnosis.HYPOTHYROIDISM)))
    return replace(base, labs=(ck(1200, ago(2)), *labs))


def test_a_condition_with_a_current_tsh_in_range_is_treated_and_escalation_proceeds() -> None:
    found = codes(_thyroid(tsh(2.0, ago(3))))
    assert FindingCode.SUSPECT_HYPOTHYROIDISM not in found
    assert FindingCode.ESCALATE_SECOND_LINE in found


def test_a_condition_with_a_current_tsh_below_range_still_fires() -> None:
    # Within its range is what says treated; a suppressed TSH is not "in range".
    assert FindingCode.SUSPECT_HYPOTHYROIDISM in codes(_thyroid(tsh(0.1, ago(3))))


def test_a_condition_without_a_current_tsh_fires_and_asks_for_one() -> None:
    finding = only(_thyroid(tsh(2.0, ago(30))), FindingCode.SUSPECT_HYPOTHYROIDISM)
    assert finding.workup == (Workup.TSH,)
    with_current = only(_thyroid(tsh(9.0, ago(3))), FindingCode.SUSPECT_HYPOTHYROIDISM)
    assert with_current.workup == ()


def test_a_high_current_tsh_fires_without_a_condition() -> None:
    facts = refractory_active_dm(extra_labs=(tsh(7.5, ago(1)),))
    assert FindingCode.SUSPECT_HYPOTHYROIDISM in codes(facts)


# --- stale MRI: no activity item, no damage item ----------------------------------------


def _weak_with_mri(edema: bool, weeks_ago: float) -> PatientFacts:
    return patient(
        labs=(ck(150, ago(2)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=first_line(30),
        measures=(
            number(Measure.MMT8_80, 62, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, edema, ago(weeks_ago)),
        ),
    )


def test_a_stale_mri_as_the_only_sign_asks_for_a_new_mri_and_never_escalates() -> None:
    facts = _weak_with_mri(True, 60)  # edema 14 months ago
    found = codes(facts)
    assert found == {FindingCode.WORKUP_INCOMPLETE}
    assert Workup.THIGH_MRI_STIR in only(facts, FindingCode.WORKUP_INCOMPLETE).workup
    assert FindingCode.ESCALATE_SECOND_LINE in codes(_weak_with_mri(True, 20))


def test_a_stale_mri_is_no_damage_item() -> None:
    facts = patient(
        labs=(ck(90, ago(2)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=first_line(30),
        measures=(
            number(Measure.MMT8_80, 62, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(60)),
            fatty(FattyReplacement.SEVERE, ago(60)),
        ),
    )
    assert FindingCode.WEAKNESS_LIKELY_DAMAGE not in codes(facts)
    assert FindingCode.WORKUP_INCOMPLETE in codes(facts)


# --- adult: known age >= 18 on the evaluation date ----------------------------------------


def test_adult_is_decided_on_the_evaluation_date() -> None:
    facts = PatientFacts(birth_date=date(2007, 6, 30), diagnoses=(diagnosis(),))
    assert assess(facts, Thresholds(), date(2025, 6, 30)).known_adult
    assert not assess(facts, Thresholds(), date(2025, 6, 29)).known_adult


def test_a_grown_up_jdm_patient_is_an_adult_with_juvenile_response_criteria() -> None:
    facts = refractory_active_dm(age=30, diagnoses=(diagnosis(Diagnosis.JUVENILE_DERMATOMYOSITIS),))
    assessment = assess(facts, Thresholds(), TODAY)
    assert assessment.known_adult
    assert assessment.juvenile  # population choices: TIS thresholds follow the JDM diagnosis


def test_a_grown_up_jdm_patient_with_an_adult_dm_code_gets_malignancy_screening() -> None:
    facts = refractory_active_dm(
        age=30,
        diagnoses=(diagnosis(Diagnosis.JUVENILE_DERMATOMYOSITIS), diagnosis()),
        extra_antibodies=(antibody(Antibody.TIF1G),),
    )
    assert FindingCode.MALIGNANCY_SCREENING in codes(facts)


def test_unknown_age_never_fires_an_adult_only_card() -> None:
    base = refractory_active_dm(
        extra_antibodies=(antibody(Antibody.CN1A), antibody(Antibody.TIF1G))
    )
    found = codes(replace(base, birth_date=None))
    assert FindingCode.SUSPECT_IBM not in found
    assert FindingCode.MALIGNANCY_SCREENING not in found


# --- unreadable values: data issues on workup-incomplete --------------------------------


def test_unreadable_values_are_stated_on_workup_incomplete_and_never_guessed() -> None:
    base = refractory_active_dm()
    issue = DataIssue(reference="Observation/ldh-1", problem="LDH: unit missing or not recognised")
    facts = replace(base, issues=(issue,))
    assert FindingCode.WORKUP_INCOMPLETE not in codes(base)
    card = only(facts, FindingCode.WORKUP_INCOMPLETE)
    assert any("LDH: unit missing" in gap and "Observation/ldh-1" in gap for gap in card.gaps)
    assert "unreadable values" in card.reason


def test_many_unreadable_values_are_listed_up_to_a_limit() -> None:
    base = refractory_active_dm()
    issues = tuple(DataIssue(f"Observation/x{i}", "CK: no numeric value") for i in range(14))
    card = only(replace(base, issues=issues), FindingCode.WORKUP_INCOMPLETE)
    assert sum("CK: no numeric value" in gap for gap in card.gaps) == 10
    assert any("4 more" in gap for gap in card.gaps)


# --- coded IBM (patient-view side) ---------------------------------------------------------


def test_a_coded_ibm_alone_is_an_iim_diagnosis_and_holds_suspect_ibm() -> None:
    facts = refractory_active_dm(diagnoses=(diagnosis(Diagnosis.INCLUSION_BODY_MYOSITIS),))
    assessment = assess(facts, Thresholds(), TODAY)
    assert assessment.has_iim
    found = codes(facts)
    assert FindingCode.SUSPECT_IBM in found
    assert not found & ESCALATIONS


def test_a_coded_ibm_holds_whatever_the_age_is_known() -> None:
    base = refractory_active_dm(diagnoses=(diagnosis(Diagnosis.INCLUSION_BODY_MYOSITIS),))
    assert FindingCode.SUSPECT_IBM in codes(replace(base, birth_date=None))


def test_an_inactive_ibm_condition_does_not_fire() -> None:
    facts = refractory_active_dm(
        diagnoses=(diagnosis(), diagnosis(Diagnosis.INCLUSION_BODY_MYOSITIS, active=False))
    )
    assert FindingCode.SUSPECT_IBM not in codes(facts)


# --- the mimic cards do not wait for the gate; GC alone as "no response" ---------------


def _finger_flexor_patient(*meds: MedicationExposure) -> PatientFacts:
    return patient(
        age=66,
        labs=(ck(600, ago(2)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.JO1, positive=False),),
        medications=meds,
        measures=(
            number(Measure.MMT8_80, 60, ago(2)),
            flag(Measure.FINGER_FLEXOR_WEAKNESS, True, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, True, ago(4)),
        ),
    )


def test_glucocorticoids_alone_for_12_weeks_count_as_no_response_across_switches() -> None:
    switched = (
        med(Agent.PREDNISONE, ago(16), ago(8, days=1), dose=40, active=False),
        med(Agent.PREDNISOLONE, ago(8), dose=30),
    )
    facts = _finger_flexor_patient(*switched)
    assert not assess(facts, Thresholds(), TODAY).gate.refractory
    assert FindingCode.SUSPECT_IBM in codes(facts)


def test_glucocorticoids_for_less_than_12_weeks_are_no_trial_yet() -> None:
    facts = _finger_flexor_patient(med(Agent.PREDNISONE, ago(10), dose=40))
    assert FindingCode.SUSPECT_IBM not in codes(facts)


def test_hypothyroidism_and_steroid_myopathy_fire_before_the_gate() -> None:
    thyroid = patient(
        diagnoses=(diagnosis(), diagnosis(Diagnosis.HYPOTHYROIDISM)),
        labs=(ck(900, ago(1)),),
        medications=(med(Agent.PREDNISONE, ago(3), dose=60),),
        measures=(number(Measure.MMT8_80, 60, ago(1)),),
    )
    assert FindingCode.SUSPECT_HYPOTHYROIDISM in codes(thyroid)
    steroid_only = patient(
        labs=(ck(150, ago(1)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=(med(Agent.PREDNISONE, ago(10), dose=40),),  # no MTX: gate not passed
        measures=(
            number(Measure.MMT8_80, 72, ago(8)),
            number(Measure.MMT8_80, 64, ago(1)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(2)),
        ),
    )
    assert not assess(steroid_only, Thresholds(), TODAY).gate.refractory
    assert FindingCode.SUSPECT_STEROID_MYOPATHY in codes(steroid_only)


# --- rapidly progressive ILD and lung activity -------------------------------------------


def _ild(
    *measures: MeasureResult, onset: date | None = None, labs: tuple[LabResult, ...] = ()
) -> PatientFacts:
    """Anti-Jo-1 polymyositis with ILD, 30 weeks of first line, muscle quiet, weakness."""
    return patient(
        diagnoses=(
            diagnosis(Diagnosis.POLYMYOSITIS),
            diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE, onset=onset),
        ),
        labs=(ck(120, ago(2)), tsh(2.0, ago(20)), *labs),
        antibodies=(antibody(Antibody.JO1),),
        medications=first_line(30),
        measures=(
            number(Measure.MMT8_80, 70, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
            *measures,
        ),
    )


def _fvc(value: float, weeks_ago: float) -> LabResult:
    return lab(Analyte.FVC_PERCENT_PREDICTED, value, None, ago(weeks_ago), low=None)


def test_progression_years_after_the_ild_onset_is_lung_activity_not_rp_ild() -> None:
    facts = _ild(flag(Measure.ILD_PROGRESSION, True, ago(1)), onset=ago(150))
    found = codes(facts)
    assert FindingCode.URGENT_ESCALATION not in found
    card = only(facts, FindingCode.ESCALATE_SECOND_LINE)
    assert card.extramuscular_only and "lung" in card.reason


def test_progression_within_12_weeks_of_the_ild_onset_is_rp_ild() -> None:
    assert FindingCode.URGENT_ESCALATION in codes(
        _ild(flag(Measure.ILD_PROGRESSION, True, ago(1)), onset=ago(10))
    )


def test_without_an_onset_the_ild_first_evidence_dates_it() -> None:
    early = _ild(
        flag(Measure.ILD_PROGRESSION, False, ago(9)), flag(Measure.ILD_PROGRESSION, True, ago(1))
    )
    late = _ild(
        flag(Measure.ILD_PROGRESSION, False, ago(40)), flag(Measure.ILD_PROGRESSION, True, ago(1))
    )
    assert FindingCode.URGENT_ESCALATION in codes(early)
    assert FindingCode.URGENT_ESCALATION not in codes(late)


def test_rp_ild_fvc_fall_between_any_two_results_the_later_current() -> None:
    # 80 -> 70 (12.5 %) within 8 weeks, the 70 current, then a partial recovery to 74.
    facts = _ild(onset=ago(150), labs=(_fvc(80, 10), _fvc(70, 2), _fvc(74, 1)))
    assert FindingCode.URGENT_ESCALATION in codes(facts)
    # The same fall ending before the current window does not.
    old = _ild(onset=ago(150), labs=(_fvc(80, 30), _fvc(70, 22), _fvc(71, 1)))
    assert FindingCode.URGENT_ESCALATION not in codes(old)


def test_an_ild_condition_alone_is_not_lung_activity() -> None:
    stable = _ild(onset=ago(150), labs=(_fvc(81, 20), _fvc(82, 1)))
    assert not assess(stable, Thresholds(), TODAY).activity.lung_activity
    assert not codes(stable) & ESCALATIONS


def test_a_current_fvc_5_percent_below_a_result_within_26_weeks_is_lung_activity() -> None:
    falling = _ild(onset=ago(150), labs=(_fvc(80, 24), _fvc(76, 1)))
    assert assess(falling, Thresholds(), TODAY).activity.lung_activity
    assert FindingCode.ESCALATE_SECOND_LINE in codes(falling)
    too_old = _ild(onset=ago(150), labs=(_fvc(80, 28), _fvc(76, 1)))
    assert not assess(too_old, Thresholds(), TODAY).activity.lung_activity


def test_progression_older_than_12_weeks_is_no_lung_activity() -> None:
    facts = _ild(flag(Measure.ILD_PROGRESSION, True, ago(13)), onset=ago(150))
    assert not assess(facts, Thresholds(), TODAY).activity.lung_activity


# --- lung- or skin-driven escalation beside a muscle mimic -----------------------------


def test_lung_driven_escalation_beside_a_muscle_mimic_shows_only_the_lung() -> None:
    # Muscle active (CK 6x ULN) and lung active (progression), with a coded IBM: the muscle
    # escalation is suppressed, the lung one stays, told for the lung alone.
    facts = patient(
        diagnoses=(
            diagnosis(Diagnosis.INCLUSION_BODY_MYOSITIS),
            diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE, onset=ago(150)),
        ),
        labs=(ck(1200, ago(2)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.JO1),),
        medications=first_line(30),
        measures=(
            number(Measure.MMT8_80, 60, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, True, ago(4)),
            flag(Measure.ILD_PROGRESSION, True, ago(1)),
        ),
    )
    assert FindingCode.SUSPECT_IBM in codes(facts)
    card = only(facts, FindingCode.ESCALATE_SECOND_LINE)
    assert card.extramuscular_only
    assert card.reason.startswith("Driven by active lung disease")
    labels = {e.label for e in card.evidence}
    assert "Ild progression" in labels or any("progression" in x.lower() for x in labels)
    assert not any(x.startswith("CK") or x.startswith("MMT") or "edema" in x for x in labels)


def test_without_a_mimic_a_mixed_escalation_shows_muscle_and_lung() -> None:
    facts = refractory_active_dm(
        diagnoses=(diagnosis(), diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE, onset=ago(150))),
        extra_measures=(flag(Measure.ILD_PROGRESSION, True, ago(1)),),
    )
    card = only(facts, FindingCode.ESCALATE_SECOND_LINE)
    assert not card.extramuscular_only
    assert card.organ_variant is not None
    assert any(e.label == "CK" for e in card.evidence)


def test_a_stale_mri_with_no_current_strength_score_is_a_gap_too() -> None:
    # Weakness cannot be judged without a current score: the stale MRI is still asked for.
    facts = patient(
        labs=(ck(150, ago(2)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=first_line(30),
        measures=(
            number(Measure.MMT8_80, 62, ago(20)),
            flag(Measure.MRI_MUSCLE_EDEMA, True, ago(60)),
        ),
    )
    card = only(facts, FindingCode.WORKUP_INCOMPLETE)
    assert Workup.THIGH_MRI_STIR in card.workup
    assert Workup.STRENGTH_ASSESSMENT in card.workup
