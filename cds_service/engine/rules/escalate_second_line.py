"""Rule escalate-second-line.

When: an IIM diagnosis; refractory to first line (the refractory gate: GC + MTX/AZA — or GC +
      a later-line agent started directly — for at least ``refractory_weeks``, symptoms
      persist, no TIS improvement, not responding, no line agent started within
      ``stable_dose_weeks``); the disease is active (any activity item); not refractory to a
      second-line agent (MTX + AZA together included); no later-line trial in progress (an
      agent of line 2 or later, or MTX + AZA, given now for less than T_refractory_2nd or
      untimed); and at least one second-line agent left after the exclusions.
Then: a warning finding with one option per remaining second-line agent (MMF, tacrolimus,
      ciclosporin, IVIG) in the subtype's order, exactly one recommended; in anti-SRP IMNM
      rituximab is offered first and recommended. Suppressed by suspect-ibm,
      suspect-steroid-myopathy, suspect-hypothyroidism and weakness-likely-damage unless the
      activity is only extramuscular.
Reference: docs/clinical-logic.md, "escalate-second-line" and "Which agent a card recommends".
"""

from __future__ import annotations

from cds_service.engine.activity import ActivityState
from cds_service.engine.assessment import Assessment
from cds_service.engine.findings import Finding, FindingCode, Severity
from cds_service.engine.rule import FindingSpec
from cds_service.engine.rules.escalation import (
    dedupe,
    escalation_evidence,
    escalation_reason,
    extramuscular_only,
    line_options,
    organ_aware,
)

RULE_ID = "escalate-second-line"
RULE_VERSION = "1.4.0"
SECTION = "escalate-second-line"
FINDINGS = (
    FindingSpec(FindingCode.ESCALATE_SECOND_LINE, "Escalate to second-line therapy", rank=70),
)


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    gate = assessment.gate
    if not assessment.has_iim or not gate.refractory_to_first_line:
        return ()
    if assessment.activity.state is not ActivityState.ACTIVE:
        return ()
    if gate.refractory_to_second_line or assessment.therapy.later_line_trials_in_progress:
        return ()
    options = line_options(assessment, 2)
    if not options:
        return ()
    evidence = dedupe((*gate.first_line_evidence, *escalation_evidence(assessment)))
    finding = Finding(
        code=FindingCode.ESCALATE_SECOND_LINE,
        severity=Severity.WARNING,
        rule_id=RULE_ID,
        rule_version=RULE_VERSION,
        reason=escalation_reason(assessment, "first-line therapy: consider a second-line agent."),
        extramuscular_only=extramuscular_only(assessment),
        evidence=evidence,
        reference_section=SECTION,
        options=options,
    )
    return (organ_aware(assessment, finding),)
