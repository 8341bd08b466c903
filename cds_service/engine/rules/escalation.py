"""Shared by the escalation rules: which options a card offers, and which one it recommends.

docs/clinical-logic.md, "Which agent a card recommends": options are the agents of the card's
own line in the subtype's order, without
- an agent the patient has already had for at least its trial window (``refractory_weeks`` on
  first line, T_refractory_2nd on a later line: it was tried and failed), and
- an agent of the same line and class as an agent given now (a switch within a class is not an
  escalation; the agent given now is excluded with it).
An agent tried only briefly may be offered again. The first remaining option is the
recommended one: the subtype's preferred agent, or the next in its order. Agents of a later
line are not offered on an earlier line's card, except rituximab on the anti-SRP second-line
card (§2.4 "offer rituximab early": offered first and recommended).

Mycophenolate is of the same class as methotrexate and azathioprine (antimetabolites) but of
another line: offered to a patient still on MTX/AZA, its rationale says it replaces them (a
switch of line; order-duplicate-immunosuppressant asks to stop the old order).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import Agent, DrugClass
from cds_service.engine.findings import Evidence, Finding, FindingCode, TherapyOption
from cds_service.engine.subtype import Subtype, ordered_agents, preference_named
from cds_service.engine.therapy import (
    CLASS_OF_LINE_AGENT,
    FIRST_LINE_IMMUNOSUPPRESSANTS,
    LATER_LINE_ANTIMETABOLITES,
    AgentCourse,
    line_of,
    trial_weeks_needed,
)


def line_options(assessment: Assessment, line: int) -> tuple[TherapyOption, ...]:
    subtype = assessment.subtype
    agents = ordered_agents(subtype.subtype, line)
    reason = (
        subtype.rationale
        if preference_named(subtype.subtype, line)
        else ("first agent of the line in the default order")
    )
    if line == 2 and subtype.subtype is Subtype.ANTI_SRP_IMNM:
        early = [a for a in (Agent.RITUXIMAB,) if not excluded(a, assessment)]
        if early:
            agents = (*early, *agents)
            reason = "anti-SRP IMNM: offer rituximab early"
    return options_from(agents, assessment, reason)


def excluded(agent: Agent, assessment: Assessment) -> bool:
    """Never offered: had for at least its trial window, or of the same line and class as an
    agent given now (which excludes the agent given now itself)."""
    therapy = assessment.therapy
    course = therapy.course(agent)
    if course is not None and course.longest_weeks >= trial_weeks_needed(
        agent, therapy, assessment.thresholds
    ):
        return True
    line = line_of(agent)
    drug_class = CLASS_OF_LINE_AGENT.get(agent)
    return any(
        c.current and c.line == line and (c.agent is agent or _class_of(c) is drug_class)
        for c in therapy.courses
    )


def _class_of(course: AgentCourse) -> DrugClass | None:
    return course.exposures[0].drug_class if course.exposures else None


def options_from(
    agents: Iterable[Agent], assessment: Assessment, recommended_reason: str
) -> tuple[TherapyOption, ...]:
    remaining = list(dict.fromkeys(a for a in agents if not excluded(a, assessment)))
    replaced = sorted(
        a.value for a in assessment.therapy.agents_current if a in FIRST_LINE_IMMUNOSUPPRESSANTS
    )
    switch = f"; replaces {' and '.join(replaced)}" if replaced else ""

    def rationale(index: int, agent: Agent) -> str:
        text = recommended_reason if index == 0 else "alternative option"
        return text + switch if agent in LATER_LINE_ANTIMETABOLITES else text

    return tuple(
        TherapyOption(agent=agent, recommended=index == 0, rationale=rationale(index, agent))
        for index, agent in enumerate(remaining)
    )


def dedupe(rows: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """Evidence rows in first-seen order, each once."""
    seen: set[Evidence] = set()
    unique: list[Evidence] = []
    for row in rows:
        if row not in seen:
            seen.add(row)
            unique.append(row)
    return tuple(unique)


def escalation_evidence(assessment: Assessment) -> tuple[Evidence, ...]:
    """What an escalation rests on: diagnosis, activity, persisting symptoms, subtype, TIS."""
    activity = assessment.activity
    return (
        *assessment.diagnosis_evidence,
        *activity.activity,
        *activity.weakness,
        *assessment.subtype.evidence,
        *assessment.gate.response_evidence,
    )


_DESPITE: dict[FindingCode, str] = {
    FindingCode.ESCALATE_SECOND_LINE: "first-line therapy: consider a second-line agent.",
    FindingCode.ESCALATE_THIRD_LINE: "a second-line agent: consider a third-line agent.",
}


def active_organs(assessment: Assessment) -> str:
    """The extramuscular disease that is active: "lung", "skin", "lung and skin", or
    "extramuscular" when only the extramuscular global activity scale says so."""
    return " and ".join(_organs(assessment))


def _organs(assessment: Assessment) -> list[str]:
    activity = assessment.activity
    rash = set(activity.skin_activity) - set(activity.extramuscular_global)
    organs = [name for name, rows in (("lung", activity.lung_activity), ("skin", rash)) if rows]
    if not organs and activity.extramuscular_global:
        organs = ["extramuscular"]
    return organs


def organ_aware(assessment: Assessment, finding: Finding) -> Finding:
    """An escalation told for its lung or skin disease where that is what drives it.

    With lung or skin activity, the organ-driven telling says so in its reason and shows only
    that organ's activity: no muscle activity, no weakness (a muscle mimic may explain those).
    It is the finding itself when there is no muscle activity, else ``organ_variant``, which
    precedence shows instead of a finding a muscle mimic suppresses.

    Where lung disease is active, each telling also says what stays of it beside
    urgent-escalation (which covers the lung): nothing when the lung alone drives it
    (``lung_only``), else ``without_lung``, the card without its lung rows.
    """
    organs = _organs(assessment)
    if not organs:
        return finding
    activity = assessment.activity
    muscle = {*activity.muscle_activity, *activity.weakness}
    organ = {*activity.lung_activity, *activity.skin_activity}
    lung_rows = set(activity.lung_activity) - set(activity.skin_activity)
    others = [o for o in organs if o != "lung"]

    def without_lung(told: Finding, reason: str) -> Finding | None:
        if "lung" not in organs:
            return None
        return replace(
            told,
            reason=reason,
            evidence=tuple(e for e in told.evidence if e not in lung_rows),
            organ_variant=None,
            without_lung=None,
        )

    def driven_by(names: list[str]) -> str:
        return f"Driven by active {' and '.join(names)} disease, despite {_DESPITE[finding.code]}"

    variant = replace(
        finding,
        reason=driven_by(organs),
        evidence=tuple(e for e in finding.evidence if e in organ or e not in muscle),
        extramuscular_only=True,
        organ_variant=None,
        lung_only=organs == ["lung"],
    )
    if others:
        variant = replace(variant, without_lung=without_lung(variant, driven_by(others)))
    if not activity.muscle_activity:
        return variant
    return replace(
        finding, organ_variant=variant, without_lung=without_lung(finding, finding.reason)
    )


def extramuscular_only(assessment: Assessment) -> bool:
    """The activity behind an escalation is only extramuscular (lung, skin, global VAS).

    Such an escalation is not muscle-directed: a muscle mimic (suspect-ibm,
    suspect-steroid-myopathy, suspect-hypothyroidism, weakness-likely-damage) explains the
    weakness, not the lung or skin disease, so precedence keeps it.
    """
    activity = assessment.activity
    return not activity.muscle_activity and bool(activity.extramuscular_activity)


def escalation_reason(assessment: Assessment, despite: str) -> str:
    """The card's reason; it says so when the escalation is for extramuscular disease only."""
    if extramuscular_only(assessment):
        return f"Escalation is for active extramuscular (lung/skin) disease despite {despite}"
    return f"Active disease despite {despite}"
