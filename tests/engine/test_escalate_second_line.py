"""escalate-second-line (docs/clinical-logic.md): options and the recommended agent."""

from __future__ import annotations

import pytest

from cds_service.engine.concepts import Agent, Antibody, Diagnosis, FattyReplacement, Measure
from cds_service.engine.facts import AntibodyResult
from cds_service.engine.findings import FindingCode
from cds_service.engine.therapy import SECOND_LINE_AGENTS
from tests.engine.builders import (
    ago,
    antibody,
    ck,
    codes,
    diagnosis,
    fatty,
    first_line,
    flag,
    med,
    number,
    only,
    patient,
    recommended,
    refractory_active_dm,
    tsh,
)

CODE = FindingCode.ESCALATE_SECOND_LINE


def test_fires_for_refractory_active_adult_dm_with_default_order() -> None:
    finding = only(refractory_active_dm(), CODE)
    assert recommended(finding) is Agent.MYCOPHENOLATE
    assert [o.agent for o in finding.options] == list(SECOND_LINE_AGENTS)
    assert finding.evidence
    assert len(finding.reason) < 120
    labels = {e.label for e in finding.evidence}
    assert {"Time on GC + MTX/AZA", "prednisone", "methotrexate"} <= labels


def test_does_not_fire_without_activity() -> None:
    # CK normal, MRI without edema, no extramuscular activity: not Step C.
    facts = refractory_active_dm(ck_value=150)
    facts = patient(
        labs=facts.labs,
        antibodies=facts.antibodies,
        medications=facts.medications,
        measures=(
            number(Measure.MMT8_80, 62, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(6)),
        ),
    )
    assert CODE not in codes(facts)


@pytest.mark.parametrize(
    ("extra_antibodies", "extra_diagnoses", "expected"),
    [
        ((antibody(Antibody.HMGCR),), (), Agent.IVIG),  # §2.4 anti-HMGCR: IVIG
        ((antibody(Antibody.SRP),), (), Agent.RITUXIMAB),  # anti-SRP: rituximab early
        ((antibody(Antibody.MDA5),), (Diagnosis.INTERSTITIAL_LUNG_DISEASE,), Agent.TACROLIMUS),
        ((antibody(Antibody.JO1),), (Diagnosis.INTERSTITIAL_LUNG_DISEASE,), Agent.TACROLIMUS),
        ((antibody(Antibody.JO1),), (), Agent.MYCOPHENOLATE),  # anti-synthetase without ILD
    ],
)
def test_subtype_preferred_agent_is_recommended(
    extra_antibodies: tuple[AntibodyResult, ...],
    extra_diagnoses: tuple[Diagnosis, ...],
    expected: Agent,
) -> None:
    diagnoses = (diagnosis(Diagnosis.POLYMYOSITIS), *(diagnosis(d) for d in extra_diagnoses))
    facts = refractory_active_dm(extra_antibodies=extra_antibodies, diagnoses=diagnoses)
    finding = only(facts, CODE)
    assert recommended(finding) is expected
    # Never a later line, except rituximab offered early in anti-SRP IMNM.
    early = {Agent.RITUXIMAB} if expected is Agent.RITUXIMAB else set()
    assert all(o.agent in SECOND_LINE_AGENTS or o.agent in early for o in finding.options)


def test_anti_srp_second_line_card_offers_and_recommends_rituximab() -> None:
    # "Offer rituximab early" overrides the line order on the anti-SRP second-line card.
    facts = refractory_active_dm(extra_antibodies=(antibody(Antibody.SRP),))
    finding = only(facts, CODE)
    assert recommended(finding) is Agent.RITUXIMAB
    assert {Agent.MYCOPHENOLATE, Agent.IVIG} <= {o.agent for o in finding.options}


def test_anti_srp_after_an_adequate_rituximab_trial_falls_back_to_the_line_order() -> None:
    facts = refractory_active_dm(
        extra_antibodies=(antibody(Antibody.SRP),),
        extra_medications=(med(Agent.RITUXIMAB, ago(60), ago(40), active=False),),
    )
    finding = only(facts, FindingCode.ESCALATE_THIRD_LINE)
    assert Agent.RITUXIMAB not in {o.agent for o in finding.options}


def test_juvenile_dm_sequence_prefers_ciclosporin() -> None:
    facts = refractory_active_dm(age=11, diagnoses=(diagnosis(Diagnosis.JUVENILE_DERMATOMYOSITIS),))
    assert recommended(only(facts, CODE)) is Agent.CICLOSPORIN


def test_dm_with_refractory_skin_and_quiet_muscle_prefers_ivig() -> None:
    # CK normal, no MRI edema, MMT-8 below maximum, heliotrope rash and extramuscular VAS 4 cm.
    base = refractory_active_dm(ck_value=150)
    facts = patient(
        labs=base.labs,
        antibodies=base.antibodies,
        medications=base.medications,
        measures=(
            number(Measure.MMT8_80, 70, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(6)),
            fatty(FattyReplacement.NONE, ago(6)),
            flag(Measure.HELIOTROPE_RASH, True, ago(2)),
            number(Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY, 4, ago(2)),
        ),
    )
    assert recommended(only(facts, CODE)) is Agent.IVIG


def test_agent_had_for_its_trial_window_is_never_offered_and_next_is_recommended() -> None:
    # Anti-HMGCR: IVIG preferred, but IVIG was given for 10 weeks (IMNM window 8) and stopped
    # long ago; the first-line course that followed failed: the next second-line agent.
    facts = refractory_active_dm(
        weeks_on_first_line=20,
        extra_antibodies=(antibody(Antibody.HMGCR),),
        extra_medications=(med(Agent.IVIG, ago(60), ago(50), active=False),),
    )
    assert FindingCode.ESCALATE_THIRD_LINE in codes(facts)  # IVIG failed: a later-line failure


def test_agent_tried_only_briefly_may_be_offered_again() -> None:
    # IVIG given for 3 weeks and stopped (short of its trial window): still an option.
    facts = refractory_active_dm(
        extra_antibodies=(antibody(Antibody.HMGCR),),
        extra_medications=(med(Agent.IVIG, ago(30), ago(27), active=False),),
    )
    assert recommended(only(facts, CODE)) is Agent.IVIG


def test_second_line_trial_in_progress_means_no_card() -> None:
    facts = refractory_active_dm(extra_medications=(med(Agent.MYCOPHENOLATE, ago(6)),))
    assert CODE not in codes(facts)
    assert FindingCode.ESCALATE_THIRD_LINE not in codes(facts)


@pytest.mark.parametrize(("ratio", "fires"), [(1.5, False), (1.51, True)])
def test_enzyme_activity_boundary(ratio: float, fires: bool) -> None:
    base = refractory_active_dm()
    measures = (number(Measure.MMT8_80, 62, ago(2)), flag(Measure.MRI_MUSCLE_EDEMA, False, ago(6)))
    facts = patient(
        labs=(ck(200 * ratio, ago(2)), tsh(2.0, ago(20))),
        antibodies=base.antibodies,
        medications=base.medications,
        measures=measures,
    )
    assert (CODE in codes(facts)) is fires


@pytest.mark.parametrize(("vas", "fires"), [(1.9, False), (2.0, True)])
def test_extramuscular_activity_boundary(vas: float, fires: bool) -> None:
    facts = patient(
        labs=(ck(150, ago(2)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=first_line(16),
        measures=(
            number(Measure.MMT8_80, 62, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(6)),
            number(Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY, vas, ago(2)),
        ),
    )
    assert (CODE in codes(facts)) is fires


def test_stale_enzyme_is_not_activity() -> None:
    # CK 6x ULN 13 weeks ago (outside fresh_labs_weeks = 12) is not a current activity item.
    base = refractory_active_dm()
    facts = patient(
        labs=(ck(1200, ago(13)), tsh(2.0, ago(20))),
        antibodies=base.antibodies,
        medications=base.medications,
        measures=(
            number(Measure.MMT8_80, 62, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(6)),
        ),
    )
    assert CODE not in codes(facts)
