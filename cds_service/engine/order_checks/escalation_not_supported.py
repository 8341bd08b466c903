"""Rule order-escalation-not-supported.

When: a draft order is an escalation agent (usual line 2 or 3) while a patient-view finding
      that suppresses escalation holds: suspect-ibm, suspect-steroid-myopathy,
      suspect-hypothyroidism or weakness-likely-damage (statin-and-hmgcr alone is not one) —
      or the patient has a coded IBM diagnosis (G72.41 / 72315009), which holds by itself.
Then: a warning about that order showing the suppressing finding's evidence, and the work-up
      suggested instead — only what is missing or out of date: a thigh MRI when there is no
      current MRI, an enzyme panel when no current muscle enzyme, a TSH when no current TSH,
      a muscle biopsy when none is on record.
Except: the draft agent is an option of urgent-escalation (rapidly progressive ILD: the mimic
      does not explain the lung; beside it the lung-driven escalate-* is not shown), or of an
      escalate-* finding kept for extramuscular disease
      (``Finding.extramuscular_only``: the mimic explains the weakness, not the lung or skin
      disease the card escalates for); and a draft IVIG for IBM with an active dysphagia
      Condition, where IBM is the only reason (IVIG for IBM dysphagia: order-line-guidance
      says so instead).
Reference: docs/clinical-logic.md, "order-escalation-not-supported".
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity, Workup
from cds_service.engine.order_checks.evidence import draft_order_evidence
from cds_service.engine.order_checks.ibm import coded_ibm, ivig_for_ibm_dysphagia
from cds_service.engine.order_checks.subject import DraftAssessment
from cds_service.engine.readings import BIOPSY_MEASURES
from cds_service.engine.rule import FindingSpec
from cds_service.engine.rules.suspect_hypothyroidism import current_tsh
from cds_service.engine.suppression import SUPPRESSING

RULE_ID = "order-escalation-not-supported"
RULE_VERSION = "1.4.0"
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


def _missing(workup: Workup, assessment: Assessment) -> bool:
    """Whether a work-up item would add something: its result is missing or out of date."""
    if workup is Workup.THIGH_MRI_STIR:
        return assessment.activity.mri is None
    if workup is Workup.ENZYME_PANEL:
        return not assessment.activity.latest_enzymes
    if workup is Workup.TSH:
        return current_tsh(assessment) is None
    if workup is Workup.MUSCLE_BIOPSY:
        return not any(m.measure in BIOPSY_MEASURES for m in assessment.facts.measures)
    return True


def _coded_ibm(evidence: tuple[Evidence, ...]) -> Finding:
    """A coded IBM diagnosis standing for suspect-ibm (it holds by itself)."""
    return Finding(
        code=FindingCode.SUSPECT_IBM,
        severity=Severity.WARNING,
        rule_id=RULE_ID,
        rule_version=RULE_VERSION,
        reason="Inclusion body myositis is coded.",
        evidence=evidence,
        reference_section=SECTION,
    )


def evaluate(subject: DraftAssessment) -> tuple[Finding, ...]:
    order, context = subject.order, subject.context
    if order.line not in ESCALATION_LINES:
        return ()
    reasons = [f for f in context.patient_findings if f.code in SUPPRESSING]
    coded = coded_ibm(subject)
    if coded and not any(f.code is FindingCode.SUSPECT_IBM for f in reasons):
        reasons.append(_coded_ibm(coded))
    if ivig_for_ibm_dysphagia(subject):
        reasons = [f for f in reasons if f.code is not FindingCode.SUSPECT_IBM]
    if not reasons:
        return ()
    if any(
        (f.extramuscular_only or f.code is FindingCode.URGENT_ESCALATION)
        and any(o.agent is order.agent for o in f.options)
        for f in context.patient_findings
    ):
        return ()
    workup: list[Workup] = []
    for finding in reasons:
        workup.extend(
            w for w in _WORKUP[finding.code] if w not in workup and _missing(w, context.assessment)
        )
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
