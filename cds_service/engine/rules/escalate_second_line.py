"""Rule escalate-second-line.

When: an IIM diagnosis; refractory to first line (the refractory gate: GC + MTX/AZA for at
      least ``refractory_weeks``, symptoms persist, no TIS improvement, no line agent started
      within ``stable_dose_weeks``); the disease is active (§2.1: any activity item); not yet
      refractory to a second-line agent; no later-line agent in its trial period; and at least
      one second-line agent not yet given.
Then: a warning finding with one option per remaining second-line agent (MMF, tacrolimus,
      ciclosporin, IVIG), exactly one recommended: the one the subtype prefers (§2.4).
      Suppressed by suspect-ibm, suspect-steroid-myopathy, suspect-hypothyroidism and
      weakness-likely-damage (contract.md §2).
Reference: clinical-reference.md §2.3 (Step C, second line) and §2.4 (subtype modifiers).
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
RULE_VERSION = "1.2.0"
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
