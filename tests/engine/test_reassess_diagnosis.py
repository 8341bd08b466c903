"""reassess-diagnosis (docs/clinical-logic.md: seronegative doubt; EULAR/ACR score as support)."""

from __future__ import annotations

from datetime import date

from cds_service.engine.concepts import Antibody, Diagnosis, Measure
from cds_service.engine.facts import AntibodyResult, MeasureResult, PatientFacts
from cds_service.engine.findings import FindingCode, Workup
from tests.engine.builders import (
    ago,
    antibody,
    ck,
    codes,
    diagnosis,
    first_line,
    flag,
    number,
    only,
    patient,
    tsh,
)

CODE = FindingCode.REASSESS_DIAGNOSIS
NEGATIVE_PANEL = tuple(
    antibody(a, positive=False) for a in (Antibody.JO1, Antibody.SRP, Antibody.HMGCR, Antibody.MI2)
)


def _seronegative(
    *extra: MeasureResult,
    antibodies: tuple[AntibodyResult, ...] = NEGATIVE_PANEL,
    ck_value: float = 150,
    edema: bool = False,
    weeks: float = 16,
) -> PatientFacts:
    return patient(
        age=50,
        diagnoses=(diagnosis(Diagnosis.POLYMYOSITIS, onset=date(2019, 3, 1)),),
        labs=(ck(ck_value, ago(2)), tsh(2.0, ago(20))),
        antibodies=antibodies,
        medications=first_line(weeks),
        measures=(
            number(Measure.MMT8_80, 60, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, edema, ago(4)),
            *extra,
        ),
    )


def test_fires_when_the_diagnosis_rests_on_little() -> None:
    finding = only(_seronegative(), CODE)
    assert finding.workup == (Workup.MUSCLE_BIOPSY,)
    assert sum(1 for e in finding.evidence if e.value == "negative") == len(NEGATIVE_PANEL)


def test_classification_score_is_shown_as_support_without_probability() -> None:
    # Onset 2019-03-01 at age 44 (born 1980-01-01): >= 40 -> 2.1; proximal lower 0.8;
    # proximal upper 0.7; no enzyme item (CK never above ULN): 3.6, not IIM by score (no biopsy).
    facts = _seronegative(
        flag(Measure.PROXIMAL_WEAKNESS_LOWER, True, ago(2)),
        flag(Measure.PROXIMAL_WEAKNESS_UPPER, True, ago(2)),
    )
    row = next(e for e in only(facts, CODE).evidence if e.label.startswith("EULAR/ACR 2017"))
    assert row.value.startswith("3.6 (without biopsy): not IIM by score")
    assert "%" not in row.value


def test_a_high_score_does_not_stop_the_card_and_a_low_one_does_not_fire_it() -> None:
    # Support only: with the heliotrope rash etc. the card still fires on its own rule...
    rich = _seronegative(flag(Measure.HELIOTROPE_RASH, True, ago(30)))
    assert CODE in codes(rich)
    # ... and a positive antibody stops it whatever the score.
    positive = _seronegative(antibodies=(*NEGATIVE_PANEL, antibody(Antibody.RO52)))
    assert CODE not in codes(positive)


def test_no_panel_done_does_not_fire_but_is_a_gap() -> None:
    facts = _seronegative(antibodies=())
    assert CODE not in codes(facts)
    assert FindingCode.WORKUP_INCOMPLETE in codes(facts)


def test_edema_or_biopsy_stops_it() -> None:
    assert CODE not in codes(_seronegative(edema=True))
    assert CODE not in codes(_seronegative(flag(Measure.BIOPSY_INFLAMMATION, True, ago(40))))


def test_not_before_the_refractory_window() -> None:
    assert CODE not in codes(_seronegative(weeks=10))


def test_does_not_suppress_escalation_by_itself() -> None:
    facts = _seronegative(ck_value=1000)  # CK 5x ULN: active
    found = codes(facts)
    assert CODE in found
    assert FindingCode.ESCALATE_SECOND_LINE in found


def test_a_single_negative_antibody_is_not_a_panel() -> None:
    # One negative anti-Jo-1 is not a seronegative work-up: the card does not fire.
    facts = _seronegative(antibodies=(antibody(Antibody.JO1, positive=False),))
    assert CODE not in codes(facts)


def test_three_negative_myositis_specific_antibodies_make_a_panel() -> None:
    three = tuple(antibody(a, positive=False) for a in (Antibody.JO1, Antibody.SRP, Antibody.HMGCR))
    two_and_associated = tuple(
        antibody(a, positive=False) for a in (Antibody.JO1, Antibody.SRP, Antibody.RO52)
    )
    assert CODE in codes(_seronegative(antibodies=three))
    assert CODE not in codes(_seronegative(antibodies=two_and_associated))
