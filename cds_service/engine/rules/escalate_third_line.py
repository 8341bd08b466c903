"""Rule escalate-third-line.

When: an IIM diagnosis; refractory to at least one agent of line 2 or later — or to
      methotrexate with azathioprine given together — for ``refractory_second_line_weeks``
      (``refractory_second_line_weeks_imnm`` in anti-HMGCR / anti-SRP IMNM; symptoms persist;
      no TIS improvement; not responding; nothing started within ``stable_dose_weeks``), or
      refractory to first line with every second-line agent excluded; the disease is active;
      no later-line trial in progress; and at least one third-line agent left. A patient
      started directly on a third-line agent counts its time towards that agent's trial.
Then: a warning finding with one option per remaining third-line agent (rituximab,
      cyclophosphamide, abatacept, tofacitinib, baricitinib) in the subtype's order, exactly
      one recommended. Suppressed like escalate-second-line.
Reference: docs/clinical-logic.md, "escalate-third-line" and "Which agent a card recommends".
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

RULE_ID = "escalate-third-line"
RULE_VERSION = "1.4.0"
SECTION = "escalate-third-line"
FINDINGS = (
    FindingSpec(FindingCode.ESCALATE_THIRD_LINE, "Escalate to third-line therapy", rank=60),
)


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    gate = assessment.gate
    if not assessment.has_iim or assessment.activity.state is not ActivityState.ACTIVE:
        return ()
    second_line_exhausted = gate.refractory_to_first_line and not line_options(assessment, 2)
    if not (gate.refractory_to_second_line or second_line_exhausted):
        return ()
    if assessment.therapy.later_line_trials_in_progress:
        return ()
    options = line_options(assessment, 3)
    if not options:
        return ()
    evidence = dedupe(
        (
            *gate.second_line_evidence,
            *gate.first_line_evidence,
            *escalation_evidence(assessment),
        )
    )
    finding = Finding(
        code=FindingCode.ESCALATE_THIRD_LINE,
        severity=Severity.WARNING,
        rule_id=RULE_ID,
        rule_version=RULE_VERSION,
        reason=escalation_reason(assessment, "a second-line agent: consider a third-line agent."),
        extramuscular_only=extramuscular_only(assessment),
        evidence=evidence,
        reference_section=SECTION,
        options=options,
    )
    return (organ_aware(assessment, finding),)
