"""Rules reassess-activity-vs-damage and weakness-likely-damage (Step A).

When: an IIM diagnosis, the disease is refractory (refractory gate: weakness or other symptoms
      persist after first-line therapy for ``refractory_weeks``, or after a later-line agent),
      weakness persists and no activity item is present (no enzyme above
      ``borderline_uln_ratio`` x ULN, no STIR edema on the current MRI, no worsening, no active
      extramuscular disease):
      - damage evidence only (T1 fatty replacement on the current MRI without STIR edema, no
        borderline enzyme) -> ``weakness-likely-damage``: rehabilitation and exercise, no
        escalation; it suppresses muscle-directed escalate-*;
      - otherwise (nothing clear, or only a borderline enzyme 1-``borderline_uln_ratio`` x ULN)
        -> ``reassess-activity-vs-damage`` (work-up: biopsy), but only when the decision had its
        inputs — a current muscle enzyme and a current MRI. Without them the evidence is not
        "mixed" but missing, and workup-incomplete asks for it (one card, not two).
      A mimic finding (suspect-ibm / -steroid-myopathy / -hypothyroidism) makes
      reassess-activity-vs-damage redundant; precedence removes it.
Then: an info finding listing the activity, borderline and damage evidence found.
Reference: docs/clinical-logic.md "reassess-activity-vs-damage" (and its "Activity and damage").
"""

from __future__ import annotations

from cds_service.engine.activity import ActivityState
from cds_service.engine.assessment import Assessment
from cds_service.engine.findings import Finding, FindingCode, Severity, Workup
from cds_service.engine.rule import FindingSpec

RULE_ID = "activity-vs-damage"
RULE_VERSION = "1.1.0"
SECTION = "reassess-activity-vs-damage"
FINDINGS = (
    FindingSpec(FindingCode.WEAKNESS_LIKELY_DAMAGE, "Weakness likely reflects damage", rank=100),
    FindingSpec(
        FindingCode.REASSESS_ACTIVITY_VS_DAMAGE, "Reassess activity versus damage", rank=110
    ),
)


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    if not assessment.has_iim or not assessment.gate.refractory:
        return ()
    activity = assessment.activity
    state = activity.state
    evidence = (
        *activity.weakness,
        *activity.borderline,
        *activity.damage,
        *activity.damage_support,
        *assessment.diagnosis_evidence,
    )
    if state is ActivityState.DAMAGE:
        return (
            Finding(
                code=FindingCode.WEAKNESS_LIKELY_DAMAGE,
                severity=Severity.INFO,
                rule_id=RULE_ID,
                rule_version=RULE_VERSION,
                reason="Weakness with damage signs and no activity: rehabilitation, no escalation.",
                evidence=evidence,
                reference_section=FindingCode.WEAKNESS_LIKELY_DAMAGE.value,
            ),
        )
    if state is ActivityState.UNCLEAR and activity.latest_enzymes and activity.mri is not None:
        return (
            Finding(
                code=FindingCode.REASSESS_ACTIVITY_VS_DAMAGE,
                severity=Severity.INFO,
                rule_id=RULE_ID,
                rule_version=RULE_VERSION,
                reason="Weakness without clear activity or damage: consider a muscle biopsy.",
                evidence=evidence,
                reference_section=SECTION,
                workup=(Workup.MUSCLE_BIOPSY,),
            ),
        )
    return ()
