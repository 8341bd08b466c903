"""escalate-third-line (docs/clinical-logic.md, "escalate-third-line")."""

from __future__ import annotations

import pytest

from cds_service.engine.concepts import Agent, Antibody, Diagnosis
from cds_service.engine.findings import FindingCode
from cds_service.engine.therapy import SECOND_LINE_AGENTS, THIRD_LINE_AGENTS
from tests.engine.builders import (
    ago,
    antibody,
    codes,
    diagnosis,
    med,
    only,
    recommended,
    refractory_active_dm,
)

CODE = FindingCode.ESCALATE_THIRD_LINE


def test_fires_after_an_adequate_second_line_trial() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=40, extra_medications=(med(Agent.MYCOPHENOLATE, ago(13)),)
    )
    finding = only(facts, CODE)
    assert recommended(finding) is Agent.RITUXIMAB
    assert all(o.agent in THIRD_LINE_AGENTS for o in finding.options)
    assert FindingCode.ESCALATE_SECOND_LINE not in codes(facts)
    assert any(e.label == "Time on mycophenolate" for e in finding.evidence)


@pytest.mark.parametrize(("weeks", "fires"), [(11, False), (12, True)])
def test_second_line_duration_boundary(weeks: float, fires: bool) -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=40, extra_medications=(med(Agent.MYCOPHENOLATE, ago(weeks)),)
    )
    assert (CODE in codes(facts)) is fires


@pytest.mark.parametrize(("weeks", "fires"), [(7, False), (8, True)])
def test_imnm_uses_the_shorter_second_line_window(weeks: float, fires: bool) -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=40,
        extra_antibodies=(antibody(Antibody.SRP),),
        extra_medications=(med(Agent.IVIG, ago(weeks)),),
        diagnoses=(diagnosis(Diagnosis.INFLAMMATORY_MYOPATHY_OTHER),),
    )
    assert (CODE in codes(facts)) is fires
    if fires:
        assert recommended(only(facts, CODE)) is Agent.RITUXIMAB  # §2.4 anti-SRP


def test_anti_mda5_ild_prefers_cyclophosphamide() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=40,
        extra_antibodies=(antibody(Antibody.MDA5),),
        extra_medications=(med(Agent.TACROLIMUS, ago(14)),),
        diagnoses=(diagnosis(), diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE)),
    )
    assert recommended(only(facts, CODE)) is Agent.CYCLOPHOSPHAMIDE


def test_failed_third_line_agent_is_not_offered_again() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=80,
        extra_medications=(
            med(Agent.MYCOPHENOLATE, ago(60), ago(40), active=False),
            med(Agent.RITUXIMAB, ago(30)),
        ),
    )
    finding = only(facts, CODE)
    assert Agent.RITUXIMAB not in {o.agent for o in finding.options}
    assert recommended(finding) is Agent.CYCLOPHOSPHAMIDE


def test_every_second_line_agent_already_given_leads_to_third_line() -> None:
    tried = tuple(med(a, ago(30), ago(16), active=False) for a in SECOND_LINE_AGENTS)
    facts = refractory_active_dm(weeks_on_first_line=40, extra_medications=tried)
    assert FindingCode.ESCALATE_SECOND_LINE not in codes(facts)
    assert recommended(only(facts, CODE)) is Agent.RITUXIMAB
