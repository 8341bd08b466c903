"""Shared by the escalation rules: which options a card offers, and which one it recommends.

Options are the agents of the card's own line in the subtype's order (§2.3 "Which agent a card
recommends", §2.4), without any agent the patient is on or has had (a stopped agent may have
failed or not been tolerated; the engine never offers it again). The first remaining option is
the recommended one: the subtype's preferred agent, or the next in its order when that one was
already given. Agents of a later line are never offered on an earlier line's card.

Mycophenolate is of the same class as methotrexate and azathioprine (antimetabolites, §2.3):
offered to a patient still on MTX/AZA, its rationale says it replaces them (a switch, not an
add-on; order-duplicate-immunosuppressant treats the order the same way).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import Agent
from cds_service.engine.findings import Evidence, Finding, FindingCode, TherapyOption
from cds_service.engine.subtype import ordered_agents, preference_named
from cds_service.engine.therapy import FIRST_LINE_IMMUNOSUPPRESSANTS, LATER_LINE_ANTIMETABOLITES


def line_options(assessment: Assessment, line: int) -> tuple[TherapyOption, ...]:
    subtype = assessment.subtype
    agents = ordered_agents(subtype.subtype, line)
    reason = (
        subtype.rationale
        if preference_named(subtype.subtype, line)
        else ("first agent of the line in the default order (§2.3)")
    )
    return options_from(agents, assessment, reason)


def options_from(
    agents: Iterable[Agent], assessment: Assessment, recommended_reason: str
) -> tuple[TherapyOption, ...]:
    given = assessment.therapy.agents_tried | assessment.therapy.agents_current
    remaining = [a for a in agents if a not in given]
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
    activity = assessment.activity
    rash = set(activity.skin_activity) - set(activity.extramuscular_global)
    organs = [name for name, rows in (("lung", activity.lung_activity), ("skin", rash)) if rows]
    if not organs and activity.extramuscular_global:
        organs = ["extramuscular"]
    return " and ".join(organs)


def organ_aware(assessment: Assessment, finding: Finding) -> Finding:
    """An escalation told for its lung or skin disease where that is what drives it.

    With lung or skin activity, the organ-driven telling says so in its reason and shows only
    that organ's activity: no muscle activity, no weakness (a muscle mimic may explain those).
    It is the finding itself when there is no muscle activity, else ``organ_variant``, which
    precedence shows instead of a finding a muscle mimic suppresses.
    """
    organs = active_organs(assessment)
    if not organs:
        return finding
    activity = assessment.activity
    muscle = {*activity.muscle_activity, *activity.weakness}
    organ = {*activity.lung_activity, *activity.skin_activity}
    variant = replace(
        finding,
        reason=f"Driven by active {organs} disease, despite {_DESPITE[finding.code]}",
        evidence=tuple(e for e in finding.evidence if e in organ or e not in muscle),
        extramuscular_only=True,
        organ_variant=None,
    )
    if not activity.muscle_activity:
        return variant
    return replace(finding, organ_variant=variant)


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
