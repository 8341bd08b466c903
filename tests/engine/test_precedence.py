"""Precedence (docs/clinical-logic.md, "precedence"), as a unit and end to end."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cds_service.engine.concepts import Agent, Diagnosis, Measure
from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.precedence import SUPPRESSING, apply_precedence, suppressing_codes
from tests.engine.builders import (
    ago,
    codes,
    diagnosis,
    flag,
    lung_active_muscle_quiet_with_hypothyroidism,
    only,
    recommended,
    refractory_active_dm,
)

ROW = (Evidence(label="x", value="y", reference="Observation/x"),)


def _finding(code: FindingCode) -> Finding:
    return Finding(code, Severity.INFO, "r", "1", "reason", ROW, "§")


@pytest.mark.parametrize(
    "suppressor",
    [
        FindingCode.SUSPECT_IBM,
        FindingCode.SUSPECT_STEROID_MYOPATHY,
        FindingCode.SUSPECT_HYPOTHYROIDISM,
        FindingCode.WEAKNESS_LIKELY_DAMAGE,
    ],
)
def test_each_mimic_suppresses_both_escalations_but_not_urgent(suppressor: FindingCode) -> None:
    kept = {
        f.code
        for f in apply_precedence(
            [
                _finding(FindingCode.ESCALATE_SECOND_LINE),
                _finding(FindingCode.ESCALATE_THIRD_LINE),
                _finding(FindingCode.URGENT_ESCALATION),
                _finding(suppressor),
            ]
        )
    }
    assert kept == {FindingCode.URGENT_ESCALATION, suppressor}


@pytest.mark.parametrize(
    "other",
    [
        FindingCode.STATIN_AND_HMGCR,
        FindingCode.MALIGNANCY_SCREENING,
        FindingCode.REASSESS_DIAGNOSIS,
        FindingCode.REASSESS_ACTIVITY_VS_DAMAGE,
        FindingCode.WORKUP_INCOMPLETE,
    ],
)
def test_other_findings_suppress_nothing(other: FindingCode) -> None:
    findings = [_finding(FindingCode.ESCALATE_SECOND_LINE), _finding(other)]
    assert {f.code for f in apply_precedence(findings)} == {FindingCode.ESCALATE_SECOND_LINE, other}
    assert suppressing_codes(findings) == frozenset()


def test_suppressing_set_is_exactly_the_contract() -> None:
    assert (
        frozenset(
            {
                FindingCode.SUSPECT_IBM,
                FindingCode.SUSPECT_STEROID_MYOPATHY,
                FindingCode.SUSPECT_HYPOTHYROIDISM,
                FindingCode.WEAKNESS_LIKELY_DAMAGE,
            }
        )
        == SUPPRESSING
    )


def test_order_is_stable_and_urgent_first() -> None:
    findings = [
        _finding(FindingCode.WORKUP_INCOMPLETE),
        _finding(FindingCode.ESCALATE_SECOND_LINE),
        _finding(FindingCode.URGENT_ESCALATION),
    ]
    ordered = [f.code for f in apply_precedence(findings)]
    assert ordered == [
        FindingCode.URGENT_ESCALATION,
        FindingCode.ESCALATE_SECOND_LINE,
        FindingCode.WORKUP_INCOMPLETE,
    ]
    assert [f.code for f in apply_precedence(reversed(findings))] == ordered


@pytest.mark.parametrize("mimic", sorted(SUPPRESSING - {FindingCode.WEAKNESS_LIKELY_DAMAGE}))
def test_a_mimic_removes_the_unclear_activity_card(mimic: FindingCode) -> None:
    findings = [_finding(FindingCode.REASSESS_ACTIVITY_VS_DAMAGE), _finding(mimic)]
    assert {f.code for f in apply_precedence(findings)} == {mimic}


def test_damage_does_not_remove_the_unclear_card_rule_wise() -> None:
    # Project addition is limited to mimics; weakness-likely-damage keeps other findings.
    findings = [
        _finding(FindingCode.REASSESS_DIAGNOSIS),
        _finding(FindingCode.WEAKNESS_LIKELY_DAMAGE),
    ]
    assert len(apply_precedence(findings)) == 2


@pytest.mark.parametrize("suppressor", sorted(SUPPRESSING))
def test_a_muscle_mimic_keeps_an_escalation_resting_only_on_extramuscular_activity(
    suppressor: FindingCode,
) -> None:
    lung = replace(_finding(FindingCode.ESCALATE_SECOND_LINE), extramuscular_only=True)
    muscle = _finding(FindingCode.ESCALATE_THIRD_LINE)
    kept = apply_precedence([lung, muscle, _finding(suppressor)])
    assert {f.code for f in kept} == {suppressor, FindingCode.ESCALATE_SECOND_LINE}
    assert suppressing_codes(kept) == {suppressor}


def test_lung_driven_escalation_is_kept_next_to_a_muscle_mimic_end_to_end() -> None:
    # Anti-synthetase ILD active (progression now, extramuscular VAS 5); muscle quiet (CK
    # normal, no edema); hypothyroidism coded with no current TSH: the mimic explains the
    # weakness, not the lung disease.
    facts = lung_active_muscle_quiet_with_hypothyroidism()
    found = codes(facts)
    assert FindingCode.SUSPECT_HYPOTHYROIDISM in found
    card = only(facts, FindingCode.ESCALATE_SECOND_LINE)
    assert card.extramuscular_only
    assert "lung" in card.reason
    assert recommended(card) is Agent.TACROLIMUS


def test_muscle_activity_with_a_muscle_mimic_is_still_suppressed_end_to_end() -> None:
    facts = refractory_active_dm(
        diagnoses=(
            diagnosis(),
            diagnosis(Diagnosis.HYPOTHYROIDISM),
            diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE),
        )
    )
    found = codes(facts)
    assert FindingCode.SUSPECT_HYPOTHYROIDISM in found
    assert FindingCode.ESCALATE_SECOND_LINE not in found


# Beside urgent-escalation (rapidly progressive ILD) one card speaks for the lung.


def _rp_ild(*extra: Diagnosis) -> PatientFacts:
    """The lung-active, muscle-quiet patient with an ILD of 4 weeks: rapidly progressive."""
    facts = lung_active_muscle_quiet_with_hypothyroidism()
    recent_ild = diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE, onset=ago(4))
    kept = tuple(
        d for d in facts.diagnoses if d.diagnosis is not Diagnosis.INTERSTITIAL_LUNG_DISEASE
    )
    return replace(facts, diagnoses=(*kept, recent_ild, *(diagnosis(d) for d in extra)))


def test_beside_urgent_escalation_the_lung_driven_escalation_is_not_shown() -> None:
    found = codes(_rp_ild())
    assert {FindingCode.URGENT_ESCALATION, FindingCode.SUSPECT_HYPOTHYROIDISM} <= found
    assert not found & {FindingCode.ESCALATE_SECOND_LINE, FindingCode.ESCALATE_THIRD_LINE}


def test_beside_urgent_escalation_a_muscle_driven_escalation_stays_without_the_lung() -> None:
    # Active muscle disease (CK 6x ULN, MRI edema) and a new, progressing ILD: the escalation
    # for the muscle stays; its lung rows are left to the urgent card.
    progression = flag(Measure.ILD_PROGRESSION, True, ago(1))
    facts = refractory_active_dm(
        diagnoses=(diagnosis(), diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE, onset=ago(4))),
        extra_measures=(progression,),
    )
    found = codes(facts)
    assert FindingCode.URGENT_ESCALATION in found
    card = only(facts, FindingCode.ESCALATE_SECOND_LINE)
    cited = {e.reference for e in card.evidence}
    assert progression.source.reference not in cited
    assert any(e.label == "CK" or "CK" in e.label for e in card.evidence)


def test_beside_urgent_escalation_a_lung_and_skin_escalation_stays_for_the_skin() -> None:
    lung = Evidence(label="ILD progression", value="yes", reference="Observation/lung")
    skin = Evidence(label="Heliotrope rash", value="yes", reference="Observation/skin")
    skin_only = replace(_finding(FindingCode.ESCALATE_SECOND_LINE), reason="skin", evidence=(skin,))
    both = replace(
        _finding(FindingCode.ESCALATE_SECOND_LINE),
        evidence=(lung, skin),
        extramuscular_only=True,
        without_lung=skin_only,
    )
    lung_only = replace(both, evidence=(lung,), lung_only=True, without_lung=None)
    urgent = _finding(FindingCode.URGENT_ESCALATION)
    assert apply_precedence([both, urgent]) == (urgent, skin_only)
    assert apply_precedence([lung_only, urgent]) == (urgent,)
    assert apply_precedence([both]) == (both,)  # without urgent-escalation, as it was
