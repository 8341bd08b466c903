"""suspect-ibm (docs/clinical-logic.md, IBM firing rule)."""

from __future__ import annotations

from dataclasses import replace

from cds_service.engine.concepts import Antibody, Diagnosis, Measure
from cds_service.engine.findings import FindingCode, Workup
from tests.engine.builders import (
    ago,
    antibody,
    codes,
    diagnosis,
    flag,
    only,
    refractory_active_dm,
)

CODE = FindingCode.SUSPECT_IBM
ESCALATIONS = {FindingCode.ESCALATE_SECOND_LINE, FindingCode.ESCALATE_THIRD_LINE}


def test_anti_cn1a_fires_and_suppresses_escalation() -> None:
    facts = refractory_active_dm(age=62, extra_antibodies=(antibody(Antibody.CN1A),))
    found = codes(facts)
    assert CODE in found
    assert not found & ESCALATIONS
    finding = only(facts, CODE)
    assert finding.workup == (Workup.MUSCLE_BIOPSY,)
    assert any(e.value == "62 years" for e in finding.evidence)  # supporting clue shown


def test_rimmed_vacuoles_fire() -> None:
    facts = refractory_active_dm(
        extra_measures=(flag(Measure.BIOPSY_RIMMED_VACUOLES, True, ago(3)),)
    )
    finding = only(facts, CODE)
    assert finding.workup == ()  # biopsy already done


def test_finger_flexor_weakness_with_no_response_fires() -> None:
    facts = refractory_active_dm(
        extra_measures=(flag(Measure.FINGER_FLEXOR_WEAKNESS, True, ago(2)),)
    )
    assert CODE in codes(facts)


def test_finger_flexor_weakness_without_an_adequate_trial_does_not_fire() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=8, extra_measures=(flag(Measure.FINGER_FLEXOR_WEAKNESS, True, ago(2)),)
    )
    assert CODE not in codes(facts)


def test_supporting_clues_alone_never_fire() -> None:
    facts = refractory_active_dm(
        age=70,
        extra_measures=(
            flag(Measure.DYSPHAGIA, True, ago(2)),
            flag(Measure.ASYMMETRIC_WEAKNESS, True, ago(2)),
        ),
    )
    assert CODE not in codes(facts)
    assert FindingCode.ESCALATE_SECOND_LINE in codes(facts)


def test_never_below_adult_age() -> None:
    facts = refractory_active_dm(
        age=16,
        diagnoses=(diagnosis(Diagnosis.JUVENILE_DERMATOMYOSITIS),),
        extra_antibodies=(antibody(Antibody.CN1A),),
    )
    assert CODE not in codes(facts)
    facts18 = refractory_active_dm(age=18, extra_antibodies=(antibody(Antibody.CN1A),))
    assert CODE in codes(facts18)


def test_negative_cn1a_does_not_fire() -> None:
    facts = refractory_active_dm(extra_antibodies=(antibody(Antibody.CN1A, positive=False),))
    assert CODE not in codes(facts)


def test_unknown_birth_date_does_not_fire_but_asks_for_it() -> None:
    facts = replace(
        refractory_active_dm(extra_antibodies=(antibody(Antibody.CN1A),)), birth_date=None
    )
    found = codes(facts)
    assert CODE not in found
    gaps = only(facts, FindingCode.WORKUP_INCOMPLETE).gaps
    assert any("birth date" in g.lower() for g in gaps)
