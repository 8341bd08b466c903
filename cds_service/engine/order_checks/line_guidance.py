"""Rule order-line-guidance.

When: (a) a draft third-line agent while the patient has had no second-line trial, outside
      rapidly progressive ILD (urgent-escalation licenses combination therapy at once); or
      (b) a draft agent that the patient's subtype row prefers (IVIG in anti-HMGCR IMNM or in
      dermatomyositis, rituximab in anti-SRP IMNM, CNI/MMF/rituximab/CYC in anti-synthetase
      ILD, ...): the subtype evidence is worth showing.
      A subtype-preferred agent is checked first: §2.4 overrides the default line order, so a
      third-line agent the subtype prefers is never called out of order.
Then: an info finding about that order: the subtype evidence, or the line order.
Reference: clinical-reference.md §2.3 (lines), §2.4 (subtype modifiers).
"""

from __future__ import annotations

from cds_service.engine.concepts import Agent
from cds_service.engine.findings import Finding, FindingCode, Severity
from cds_service.engine.order_checks.evidence import draft_order_evidence
from cds_service.engine.order_checks.subject import DraftAssessment
from cds_service.engine.rule import FindingSpec
from cds_service.engine.subtype import preferred_agents

RULE_ID = "order-line-guidance"
RULE_VERSION = "1.1.0"
SECTION = "order-line-guidance"
FINDINGS = (FindingSpec(FindingCode.ORDER_LINE_GUIDANCE, "Line-of-therapy guidance", rank=240),)


def evaluate(subject: DraftAssessment) -> tuple[Finding, ...]:
    order, context = subject.order, subject.context
    if order.agent is None or order.line not in (2, 3):
        return ()
    assessment = context.assessment
    subtype = assessment.subtype
    urgent = any(f.code is FindingCode.URGENT_ESCALATION for f in context.patient_findings)
    had_second_line = any(
        exposure.line == 2 and exposure.agent is not order.agent
        for exposure in assessment.facts.medications
    )
    out_of_order = order.line == 3 and not had_second_line and not urgent
    preferred = order.agent in preferred_agents(subtype.subtype, order.line)
    ivig_in_dm = order.agent is Agent.IVIG and assessment.has_dermatomyositis
    if preferred:
        # §2.4 overrides the default order (rituximab early in anti-SRP IMNM; IV CYC or
        # tofacitinib in anti-MDA5 ILD): never call the subtype's own choice "out of order".
        reason = f"Subtype evidence supports this choice: {subtype.rationale}."
    elif out_of_order:
        reason = "A third-line agent before any second-line trial: usual order is line 2 first."
    elif ivig_in_dm:
        reason = "IVIG in dermatomyositis: ProDERM showed benefit; FDA-approved for adult DM."
    else:
        return ()
    return (
        Finding(
            code=FindingCode.ORDER_LINE_GUIDANCE,
            severity=Severity.INFO,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason=reason,
            evidence=(
                draft_order_evidence(order),
                *subtype.evidence,
                *assessment.diagnosis_evidence,
            ),
            reference_section=SECTION,
            order_reference=order.reference,
        ),
    )
