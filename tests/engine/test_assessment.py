"""The Assessment the order hooks will reuse: lines, agents given and failed, subtype."""

from __future__ import annotations

from cds_service.engine import assess
from cds_service.engine.concepts import Agent, Antibody, DrugClass
from cds_service.engine.facts import MedicationExposure, SourceRef
from cds_service.engine.subtype import Subtype
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import TODAY, ago, antibody, med, refractory_active_dm


def test_lines_and_agents() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=40,
        extra_medications=(
            med(Agent.MYCOPHENOLATE, ago(30), ago(16), active=False),  # 14 weeks: failed
            med(Agent.IVIG, ago(3)),  # in its trial period
            med(Agent.HYDROXYCHLOROQUINE, ago(40)),  # outside the lines
        ),
    )
    therapy = assess(facts, Thresholds(), TODAY).therapy
    assert therapy.current_line == 2
    assert therapy.agents_current == {
        Agent.PREDNISONE,
        Agent.METHOTREXATE,
        Agent.IVIG,
        Agent.HYDROXYCHLOROQUINE,
    }
    assert therapy.agents_failed == {Agent.PREDNISONE, Agent.METHOTREXATE, Agent.MYCOPHENOLATE}
    assert [c.agent for c in therapy.later_line_trials_in_progress] == [Agent.IVIG]
    assert [c.agent for c in therapy.courses_of_class(DrugClass.ANTIMETABOLITE)] == [
        Agent.METHOTREXATE,
        Agent.MYCOPHENOLATE,
    ]


def test_subtype_precedence_hmgcr_over_juvenile() -> None:
    facts = refractory_active_dm(age=14, extra_antibodies=(antibody(Antibody.HMGCR),))
    assessment = assess(facts, Thresholds(), TODAY)
    assert assessment.juvenile
    assert assessment.subtype.subtype is Subtype.ANTI_HMGCR_IMNM
    assert assessment.therapy.second_line_weeks_needed == 8


def test_record_without_start_counts_as_given_but_not_timed() -> None:
    undated = MedicationExposure(
        agent=Agent.TACROLIMUS,
        drug_class=DrugClass.CALCINEURIN_INHIBITOR,
        active=False,
        source=SourceRef("MedicationStatement/undated"),
    )
    therapy = assess(
        refractory_active_dm(extra_medications=(undated,)), Thresholds(), TODAY
    ).therapy
    assert Agent.TACROLIMUS in therapy.agents_tried
    assert Agent.TACROLIMUS not in therapy.agents_failed
