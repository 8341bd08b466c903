"""Rule order-line-guidance.

When: (a) a draft IVIG for a patient with IBM (suspect-ibm, or a coded IBM) and an active
      dysphagia Condition: IVIG in IBM is for dysphagia only; or
      (b) a draft methotrexate while azathioprine is given or ordered (or the reverse): the
      two together are a second-line combination, not a duplicate; or
      (c) a draft third-line agent while the patient has had no second-line trial (MTX + AZA
      together counts as one), outside rapidly progressive ILD (urgent-escalation licenses
      combination therapy at once); or
      (d) a draft agent that the patient's subtype row prefers (IVIG in anti-HMGCR IMNM or in
      dermatomyositis, rituximab in anti-SRP IMNM, CNI/MMF/rituximab/CYC in anti-synthetase
      ILD, ...): the subtype evidence is worth showing.
      A subtype-preferred agent is checked before (c): the subtype row overrides the default
      line order, so a third-line agent the subtype prefers is never called out of order.
Then: an info finding about that order.
Reference: docs/clinical-logic.md, "order-line-guidance".
"""

from __future__ import annotations

from cds_service.engine.concepts import Agent
from cds_service.engine.evidence import medication_evidence
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.order_checks.evidence import draft_order_evidence
from cds_service.engine.order_checks.ibm import coded_ibm, dysphagia, ivig_for_ibm_dysphagia
from cds_service.engine.order_checks.subject import DraftAssessment
from cds_service.engine.rule import FindingSpec
from cds_service.engine.subtype import preferred_agents

RULE_ID = "order-line-guidance"
RULE_VERSION = "1.2.0"
SECTION = "order-line-guidance"
FINDINGS = (FindingSpec(FindingCode.ORDER_LINE_GUIDANCE, "Line-of-therapy guidance", rank=240),)
COMBINATION = frozenset({Agent.METHOTREXATE, Agent.AZATHIOPRINE})


def _guidance(subject: DraftAssessment, reason: str, *evidence: Evidence) -> tuple[Finding]:
    return (
        Finding(
            code=FindingCode.ORDER_LINE_GUIDANCE,
            severity=Severity.INFO,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason=reason,
            evidence=(draft_order_evidence(subject.order), *evidence),
            reference_section=SECTION,
            order_reference=subject.order.reference,
        ),
    )


def _combination_partner(subject: DraftAssessment) -> tuple[Evidence, ...]:
    """Evidence of the other half of MTX + AZA, given now or ordered in the session."""
    order, context = subject.order, subject.context
    if order.agent not in COMBINATION:
        return ()
    (partner,) = COMBINATION - {order.agent}
    given = [
        medication_evidence(m)
        for m in context.assessment.facts.medications
        if m.agent is partner and m.active
    ]
    drafted = [
        draft_order_evidence(d)
        for d in context.drafts
        if d.agent is partner and d.reference != order.reference
    ]
    return (*given, *drafted)


def evaluate(subject: DraftAssessment) -> tuple[Finding, ...]:
    order, context = subject.order, subject.context
    assessment = context.assessment
    if ivig_for_ibm_dysphagia(subject):
        return _guidance(
            subject,
            "IVIG in inclusion body myositis: for dysphagia only; IBM is not treated with "
            "immunosuppression.",
            *dysphagia(subject),
            *coded_ibm(subject),
        )
    partner = _combination_partner(subject)
    if partner:
        return _guidance(
            subject,
            "Methotrexate with azathioprine: together a second-line combination, not a duplicate.",
            *partner,
        )
    if order.agent is None or order.line not in (2, 3):
        return ()
    subtype = assessment.subtype
    urgent = any(f.code is FindingCode.URGENT_ESCALATION for f in context.patient_findings)
    had_second_line = assessment.therapy.mtx_aza is not None or any(
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
    return _guidance(subject, reason, *subtype.evidence, *assessment.diagnosis_evidence)
