"""Treatment lines and the patient's treatment history (docs/clinical-logic.md, conventions,
"refractory-gate", "escalate-third-line").

Time on an agent runs from its first dose to today while it is still given, or to its end;
periods of one agent close together (a tapering course) count as one exposure (§3.2). A
stopped record without an end date counts as zero weeks (its length is unknown), so the
engine never over-states how long a drug was tried.

Periodic infusions (IVIG, rituximab, IV cyclophosphamide, IV abatacept, methylprednisolone
pulses) are recorded as one-day administrations weeks apart. Their doses are merged into one
course using the agent's dosing interval (``infusion_interval_days_*``), and the course counts
as current — its time running to today — while today is within one interval of the last dose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from cds_service.engine.concepts import Agent, DrugClass
from cds_service.engine.date_arithmetic import (
    Period,
    intersect_periods,
    longest,
    merge_periods,
    weeks_between,
)
from cds_service.engine.facts import MedicationExposure, PatientFacts
from cds_service.engine.thresholds import Thresholds

FIRST_LINE_GLUCOCORTICOIDS: frozenset[Agent] = frozenset(
    {Agent.PREDNISONE, Agent.PREDNISOLONE, Agent.METHYLPREDNISOLONE}
)
FIRST_LINE_IMMUNOSUPPRESSANTS: frozenset[Agent] = frozenset(
    {Agent.METHOTREXATE, Agent.AZATHIOPRINE}
)
# §2.3 drug classes: the antimetabolite of the later lines. Escalating to it from a first-line
# antimetabolite (MTX/AZA) means switching: it replaces MTX/AZA rather than adding to it.
LATER_LINE_ANTIMETABOLITES: frozenset[Agent] = frozenset({Agent.MYCOPHENOLATE})
# §2.3 table, in the table's order (the default order of options on a card).
SECOND_LINE_AGENTS: tuple[Agent, ...] = (
    Agent.MYCOPHENOLATE,
    Agent.TACROLIMUS,
    Agent.CICLOSPORIN,
    Agent.IVIG,
)
THIRD_LINE_AGENTS: tuple[Agent, ...] = (
    Agent.RITUXIMAB,
    Agent.CYCLOPHOSPHAMIDE,
    Agent.ABATACEPT,
    Agent.TOFACITINIB,
    Agent.BARICITINIB,
)

# Partners of a glucocorticoid for the first-line gate: MTX/AZA, or a later-line agent when
# the patient was started directly on it.
GATE_PARTNERS: frozenset[Agent] = FIRST_LINE_IMMUNOSUPPRESSANTS | frozenset(
    (*SECOND_LINE_AGENTS, *THIRD_LINE_AGENTS)
)

# The classes of the line agents (docs: "order-duplicate-immunosuppressant"), for judging an
# agent the patient has not had (the terminology tables give the class of recorded ones).
CLASS_OF_LINE_AGENT: dict[Agent, DrugClass] = {
    **dict.fromkeys(FIRST_LINE_GLUCOCORTICOIDS, DrugClass.GLUCOCORTICOID),
    Agent.METHOTREXATE: DrugClass.ANTIMETABOLITE,
    Agent.AZATHIOPRINE: DrugClass.ANTIMETABOLITE,
    Agent.MYCOPHENOLATE: DrugClass.ANTIMETABOLITE,
    Agent.TACROLIMUS: DrugClass.CALCINEURIN_INHIBITOR,
    Agent.CICLOSPORIN: DrugClass.CALCINEURIN_INHIBITOR,
    Agent.IVIG: DrugClass.IVIG,
    Agent.RITUXIMAB: DrugClass.ANTI_CD20,
    Agent.CYCLOPHOSPHAMIDE: DrugClass.ALKYLATING,
    Agent.ABATACEPT: DrugClass.COSTIMULATION_BLOCKER,
    Agent.TOFACITINIB: DrugClass.JAK_INHIBITOR,
    Agent.BARICITINIB: DrugClass.JAK_INHIBITOR,
}

LINE_OF_AGENT: dict[Agent, int] = {
    **dict.fromkeys(FIRST_LINE_GLUCOCORTICOIDS | FIRST_LINE_IMMUNOSUPPRESSANTS, 1),
    **dict.fromkeys(SECOND_LINE_AGENTS, 2),
    **dict.fromkeys(THIRD_LINE_AGENTS, 3),
}


def line_of(agent: Agent) -> int | None:
    """Treatment line of an agent (§2.3); None for agents outside the lines (HCQ, statins)."""
    return LINE_OF_AGENT.get(agent)


def is_given_on(exposure: MedicationExposure, day: date) -> bool:
    """Still given on ``day``: an active record whose end, if any, is not before that day."""
    if not exposure.active:
        return False
    if exposure.start is not None and exposure.start > day:
        return False
    return exposure.end is None or exposure.end >= day


def exposure_period(exposure: MedicationExposure, today: date) -> Period | None:
    """The span the agent was given, clipped to today; None when it cannot be timed."""
    if exposure.start is None or exposure.start > today:
        return None
    if exposure.end is not None:
        end = min(exposure.end, today)
    elif exposure.active:
        end = today
    else:
        end = exposure.start
    return Period(exposure.start, max(end, exposure.start))


def span_sources(
    span: Period, exposures: Iterable[MedicationExposure], today: date
) -> tuple[MedicationExposure, ...]:
    """The records whose dates bound ``span``: those starting on its first day and, when it
    ended before ``today``, those ending on its last; the records given on its first day when
    none starts exactly then."""
    timed = [(e, p) for e in exposures if (p := exposure_period(e, today)) is not None]
    bounds = [e for e, p in timed if p.start == span.start]
    if span.end < today:
        bounds.extend(e for e, p in timed if p.end == span.end and e not in bounds)
    if not bounds:
        bounds = [e for e, p in timed if p.contains(span.start)]
    return tuple(bounds)


def agent_periods(
    exposures: Iterable[MedicationExposure], today: date, gap_days: int
) -> tuple[Period, ...]:
    periods = (exposure_period(e, today) for e in exposures)
    return merge_periods((p for p in periods if p is not None), gap_days)


def dosing_interval_days(agent: Agent, thresholds: Thresholds) -> int | None:
    """The dosing interval of an agent given as periodic infusions; None for the others."""
    intervals = {
        Agent.IVIG: thresholds.infusion_interval_days_ivig,
        Agent.RITUXIMAB: thresholds.infusion_interval_days_rituximab,
        Agent.CYCLOPHOSPHAMIDE: thresholds.infusion_interval_days_cyclophosphamide,
        Agent.ABATACEPT: thresholds.infusion_interval_days_abatacept,
        Agent.METHYLPREDNISOLONE: thresholds.infusion_interval_days_methylprednisolone,
    }
    return intervals.get(agent)


def course_periods(
    agent: Agent, exposures: Iterable[MedicationExposure], thresholds: Thresholds, today: date
) -> tuple[tuple[Period, ...], bool]:
    """Merged periods of one agent and whether it is given now.

    An agent with a dosing interval merges doses up to that interval apart, and is current
    while today is within one interval of the last dose (its last period then runs to today).
    """
    records = list(exposures)
    current = any(is_given_on(e, today) for e in records)
    interval = dosing_interval_days(agent, thresholds)
    if interval is None:
        return agent_periods(records, today, thresholds.exposure_gap_days), current
    periods = agent_periods(records, today, max(interval, thresholds.exposure_gap_days))
    if periods and (today - periods[-1].end).days <= interval:
        current = True
    if current and periods:
        periods = (*periods[:-1], Period(periods[-1].start, today))
    return periods, current


@dataclass(frozen=True, slots=True)
class AgentCourse:
    """Everything the patient got of one agent: merged periods and the records behind them.

    ``partner`` is set for the one course of two agents the lines know: methotrexate together
    with azathioprine, a second-line exposure (its periods are the overlap of the two).
    """

    agent: Agent
    line: int | None
    exposures: tuple[MedicationExposure, ...]
    periods: tuple[Period, ...]
    current: bool
    partner: Agent | None = None

    @property
    def label(self) -> str:
        return (
            self.agent.value
            if self.partner is None
            else f"{self.agent.value} + {self.partner.value}"
        )

    @property
    def longest_weeks(self) -> float:
        span = longest(self.periods)
        return 0.0 if span is None else span.weeks

    @property
    def current_period(self) -> Period | None:
        return self.periods[-1] if self.current and self.periods else None


@dataclass(frozen=True, slots=True)
class TherapyHistory:
    """The patient's treatment lines; reused by the order hooks (line order, duplicates).

    ``agents_failed`` holds the line agents given for an adequate trial (first line:
    ``refractory_weeks`` of combined GC + MTX/AZA; later lines: ``T_refractory_2nd``) — whether
    the disease is still active is judged elsewhere.
    """

    courses: tuple[AgentCourse, ...]
    first_line_period: Period | None
    first_line_exposures: tuple[MedicationExposure, ...]
    agents_current: frozenset[Agent]
    agents_tried: frozenset[Agent]
    agents_failed: frozenset[Agent]
    current_line: int
    later_line_failures: tuple[AgentCourse, ...]
    later_line_trials_in_progress: tuple[AgentCourse, ...]
    second_line_weeks_needed: int
    current_line_start: date | None = None
    mtx_aza: AgentCourse | None = None

    @property
    def first_line_weeks(self) -> float:
        return 0.0 if self.first_line_period is None else self.first_line_period.weeks

    def course(self, agent: Agent) -> AgentCourse | None:
        return next((c for c in self.courses if c.agent is agent), None)

    def courses_of_class(self, drug_class: DrugClass) -> tuple[AgentCourse, ...]:
        return tuple(
            c for c in self.courses if any(e.drug_class is drug_class for e in c.exposures)
        )


def build_therapy_history(
    facts: PatientFacts, thresholds: Thresholds, today: date, *, imnm: bool
) -> TherapyHistory:
    gap = thresholds.exposure_gap_days
    by_agent: dict[Agent, list[MedicationExposure]] = {}
    for exposure in facts.medications:
        if exposure.start is not None and exposure.start > today:
            continue
        by_agent.setdefault(exposure.agent, []).append(exposure)

    courses_built: list[AgentCourse] = []
    for agent, exposures in sorted(by_agent.items(), key=lambda item: item[0].value):
        periods, given_now = course_periods(agent, exposures, thresholds, today)
        courses_built.append(
            AgentCourse(
                agent=agent,
                line=line_of(agent),
                exposures=tuple(sorted(exposures, key=_exposure_key)),
                periods=periods,
                current=given_now,
            )
        )
    courses = tuple(courses_built)

    glucocorticoid = [
        e for c in courses if c.agent in FIRST_LINE_GLUCOCORTICOIDS for e in c.exposures
    ]
    # The first-line gate: a glucocorticoid together with MTX/AZA — or, started directly on a
    # later line, with any second- or third-line agent (docs: "refractory-gate").
    gc_periods = merge_periods(
        (p for c in courses if c.agent in FIRST_LINE_GLUCOCORTICOIDS for p in c.periods), gap
    )

    def with_gc(partner_agents: frozenset[Agent]) -> tuple[list[AgentCourse], Period | None]:
        chosen = [c for c in courses if c.agent in partner_agents]
        overlap = intersect_periods(
            gc_periods, merge_periods((p for c in chosen for p in c.periods), gap)
        )
        return chosen, longest(overlap)

    # The classic first line (GC + MTX/AZA) is judged first; a patient started directly on a
    # later line passes the gate with GC + that agent instead (its records then show).
    partners, first_line_period = with_gc(FIRST_LINE_IMMUNOSUPPRESSANTS)
    direct, direct_period = with_gc(GATE_PARTNERS)
    if direct_period is not None and (
        first_line_period is None
        or first_line_period.weeks < min(direct_period.weeks, thresholds.refractory_weeks)
    ):
        partners, first_line_period = direct, direct_period
    partner = [e for c in partners for e in c.exposures]
    first_line_exposures: tuple[MedicationExposure, ...] = ()
    if first_line_period is not None:
        first_line_exposures = tuple(
            e
            for e in (*glucocorticoid, *partner)
            if (p := exposure_period(e, today)) is not None
            and p.start <= first_line_period.end
            and p.end >= first_line_period.start
        )

    weeks_needed = (
        thresholds.refractory_second_line_weeks_imnm
        if imnm
        else thresholds.refractory_second_line_weeks
    )
    combination = _mtx_aza_course(courses, gap)
    later = [c for c in courses if c.line is not None and c.line >= 2]
    if combination is not None:
        later.append(combination)
    failures = tuple(c for c in later if c.longest_weeks >= weeks_needed)
    # A later-line trial in progress: still given and not yet given for T_refractory_2nd, or
    # given now but not timed (no start): escalation already happened, its result is not due.
    in_progress = tuple(
        c
        for c in later
        if c.current
        and (c.current_period is None or c.current_period.weeks < weeks_needed)
        and c not in failures
    )
    failed = {c.agent for c in failures if c.partner is None}
    if first_line_period is not None and first_line_period.weeks >= thresholds.refractory_weeks:
        failed |= {e.agent for e in first_line_exposures if line_of(e.agent) == 1}

    current = frozenset(c.agent for c in courses if c.current)
    current_lines = [c.line for c in (*courses, *later) if c.current and c.line is not None]
    current_line = max(current_lines, default=0)
    line_starts = [
        c.current_period.start
        for c in (*courses, *later)
        if c.current and c.line == current_line and c.current_period is not None
    ]
    return TherapyHistory(
        courses=courses,
        first_line_period=first_line_period,
        first_line_exposures=tuple(sorted(first_line_exposures, key=_exposure_key)),
        agents_current=current,
        agents_tried=frozenset(c.agent for c in courses),
        agents_failed=frozenset(failed),
        current_line=current_line,
        later_line_failures=failures,
        later_line_trials_in_progress=in_progress,
        second_line_weeks_needed=weeks_needed,
        current_line_start=max(line_starts, default=None),
        mtx_aza=combination,
    )


def _mtx_aza_course(courses: tuple[AgentCourse, ...], gap: int) -> AgentCourse | None:
    """Methotrexate and azathioprine given together: one second-line course over their overlap
    (docs: "escalate-third-line", MTX + AZA); None when they never overlapped."""
    mtx = next((c for c in courses if c.agent is Agent.METHOTREXATE), None)
    aza = next((c for c in courses if c.agent is Agent.AZATHIOPRINE), None)
    if mtx is None or aza is None:
        return None
    overlap = merge_periods(intersect_periods(mtx.periods, aza.periods), gap)
    if not overlap:
        return None
    current = mtx.current and aza.current
    if current and overlap[-1].end < max(mtx.periods[-1].end, aza.periods[-1].end):
        current = False
    return AgentCourse(
        agent=Agent.METHOTREXATE,
        partner=Agent.AZATHIOPRINE,
        line=2,
        exposures=tuple(sorted((*mtx.exposures, *aza.exposures), key=_exposure_key)),
        periods=overlap,
        current=current,
    )


def trial_weeks_needed(agent: Agent, therapy: TherapyHistory, thresholds: Thresholds) -> int:
    """The trial window of an agent: ``refractory_weeks`` on first line, T_refractory_2nd
    (the IMNM value in IMNM) on a later line."""
    if line_of(agent) == 1:
        return thresholds.refractory_weeks
    return therapy.second_line_weeks_needed


def weeks_on_current_course(course: AgentCourse, today: date) -> float:
    period = course.current_period
    return 0.0 if period is None else weeks_between(period.start, today)


def _exposure_key(exposure: MedicationExposure) -> tuple[date, str]:
    return (exposure.start or date.min, exposure.source.reference)
