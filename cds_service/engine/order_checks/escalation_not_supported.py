"""Rule order-escalation-not-supported.

When: a draft order is an escalation agent (usual line 2 or 3) while a patient-view finding
      that suppresses escalation holds: suspect-ibm, suspect-steroid-myopathy,
      suspect-hypothyroidism or weakness-likely-damage (statin-and-hmgcr alone is not one).
Then: a warning about that order showing the suppressing finding's evidence, and the work-up
      suggested instead.
Except: the draft agent is an option of an escalate-* finding kept for extramuscular disease
      (``Finding.extramuscular_only``: the mimic explains the weakness, not the lung or skin
      disease the card escalates for).
Reference: clinical-reference.md §2.2 (check the diagnosis before changing treatment, [S3]) and
contract.md §2 (precedence).
"""

from __future__ import annotations

from cds_service.engine.findings import Finding, FindingCode, Severity, Workup
from cds_service.engine.order_checks.evidence import draft_order_evidence
from cds_service.engine.order_checks.subject import DraftAssessment
from cds_service.engine.rule import FindingSpec
from cds_service.engine.suppression import SUPPRESSING

RULE_ID = "order-escalation-not-supported"
RULE_VERSION = "1.1.0"
SECTION = "order-escalation-not-supported"
FINDINGS = (
    FindingSpec(
        FindingCode.ORDER_ESCALATION_NOT_SUPPORTED,
        "Escalation not supported by the evidence",
        rank=220,
    ),
)
ESCALATION_LINES = frozenset({2, 3})

_WORKUP: dict[FindingCode, tuple[Workup, ...]] = {
    FindingCode.SUSPECT_IBM: (Workup.MUSCLE_BIOPSY,),
    FindingCode.SUSPECT_HYPOTHYROIDISM: (Workup.TSH,),
    FindingCode.SUSPECT_STEROID_MYOPATHY: (Workup.THIGH_MRI_STIR,),
    FindingCode.WEAKNESS_LIKELY_DAMAGE: (Workup.THIGH_MRI_STIR, Workup.ENZYME_PANEL),
}
_EXPLANATION: dict[FindingCode, str] = {
    FindingCode.SUSPECT_IBM: "inclusion body myositis is suspected",
    FindingCode.SUSPECT_HYPOTHYROIDISM: "hypothyroidism may explain the weakness",
    FindingCode.SUSPECT_STEROID_MYOPATHY: "glucocorticoid myopathy is suspected",
    FindingCode.WEAKNESS_LIKELY_DAMAGE: "the weakness looks like damage, not activity",
}


def evaluate(subject: DraftAssessment) -> tuple[Finding, ...]:
    order, context = subject.order, subject.context
    if order.line not in ESCALATION_LINES:
        return ()
    reasons = [f for f in context.patient_findings if f.code in SUPPRESSING]
    if not reasons:
        return ()
    if any(
        f.extramuscular_only and any(o.agent is order.agent for o in f.options)
        for f in context.patient_findings
    ):
        return ()
    workup: list[Workup] = []
    for finding in reasons:
        workup.extend(w for w in _WORKUP[finding.code] if w not in workup)
    because = "; ".join(_EXPLANATION[f.code] for f in reasons)
    return (
        Finding(
            code=FindingCode.ORDER_ESCALATION_NOT_SUPPORTED,
            severity=Severity.WARNING,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason=f"Escalation is not supported: {because}."[:160],
            evidence=(draft_order_evidence(order), *(e for f in reasons for e in f.evidence)),
            reference_section=SECTION,
            workup=tuple(workup),
            order_reference=order.reference,
        ),
    )
