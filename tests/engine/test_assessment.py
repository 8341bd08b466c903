"""The Assessment the order hooks will reuse: lines, agents given and failed, subtype."""

from __future__ import annotations

from datetime import timedelta

from cds_service.engine import assess, evaluate
from cds_service.engine.concepts import Agent, Antibody, DrugClass
from cds_service.engine.facts import MedicationExposure, SourceRef
from cds_service.engine.findings import FindingCode
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


def _infusions(
    agent: Agent, first: float, every_days: int, doses: int
) -> tuple[MedicationExposure, ...]:
    """One completed administration per dose (a one-day, no longer active record)."""
    days = [ago(first) + timedelta(days=every_days * i) for i in range(doses)]
    return tuple(med(agent, d, d, active=False) for d in days)


def test_periodic_infusions_are_one_current_course() -> None:
    # IVIG every 4 weeks, 6 doses, the last 4 weeks ago: one course, still current (< 35 days).
    ivig = _infusions(Agent.IVIG, 24, 28, 6)
    # Rituximab: one dose 20 weeks ago, within its 183-day interval.
    rituximab = _infusions(Agent.RITUXIMAB, 20, 0, 1)
    therapy = assess(
        refractory_active_dm(extra_medications=(*ivig, *rituximab)), Thresholds(), TODAY
    ).therapy
    course = therapy.course(Agent.IVIG)
    assert course is not None and course.current and len(course.periods) == 1
    assert course.longest_weeks == 24
    assert Agent.IVIG in therapy.agents_current and Agent.IVIG in therapy.agents_failed
    rtx = therapy.course(Agent.RITUXIMAB)
    assert rtx is not None and rtx.current and rtx.longest_weeks == 20


def test_infusion_course_ends_one_interval_after_the_last_dose() -> None:
    # Last IVIG dose 36 days ago (> 35): no longer current; the course spans the doses only.
    ivig = tuple(
        med(Agent.IVIG, d, d, active=False)
        for d in (ago(days=36 + 28 * 2), ago(days=36 + 28), ago(days=36))
    )
    course = assess(
        refractory_active_dm(extra_medications=ivig), Thresholds(), TODAY
    ).therapy.course(Agent.IVIG)
    assert course is not None and not course.current
    assert course.longest_weeks == 8
    # The interval is a configurable threshold.
    longer = assess(
        refractory_active_dm(extra_medications=ivig),
        Thresholds(infusion_interval_days_ivig=40),
        TODAY,
    ).therapy.course(Agent.IVIG)
    assert longer is not None and longer.current


def test_monthly_ivig_in_anti_hmgcr_counts_as_a_second_line_trial() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=40,
        extra_antibodies=(antibody(Antibody.HMGCR),),
        extra_medications=_infusions(Agent.IVIG, 23, 28, 6),
    )
    found = {f.code for f in evaluate(facts, Thresholds(), TODAY)}
    assert FindingCode.ESCALATE_THIRD_LINE in found
    assert FindingCode.ESCALATE_SECOND_LINE not in found
