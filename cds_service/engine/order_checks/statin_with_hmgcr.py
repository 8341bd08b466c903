"""Rule order-statin-with-hmgcr.

When: a draft order is a statin and the patient's latest anti-HMGCR result is positive.
Then: a critical finding about that order, with a suggestion to remove the draft.
Reference: docs/clinical-logic.md, "order-statin-with-hmgcr".
"""

from __future__ import annotations

from cds_service.engine.concepts import Antibody, DrugClass
from cds_service.engine.evidence import antibody_evidence
from cds_service.engine.findings import Finding, FindingCode, Severity
from cds_service.engine.order_checks.evidence import draft_order_evidence
from cds_service.engine.order_checks.subject import DraftAssessment
from cds_service.engine.rule import FindingSpec

RULE_ID = "order-statin-with-hmgcr"
RULE_VERSION = "1.0.0"
SECTION = "order-statin-with-hmgcr"
FINDINGS = (
    FindingSpec(
        FindingCode.ORDER_STATIN_WITH_HMGCR, "Statin ordered with anti-HMGCR myopathy", rank=210
    ),
)


def evaluate(subject: DraftAssessment) -> tuple[Finding, ...]:
    order, context = subject.order, subject.context
    if order.drug_class is not DrugClass.STATIN:
        return ()
    positive = context.assessment.positive(Antibody.HMGCR)
    if not positive:
        return ()
    return (
        Finding(
            code=FindingCode.ORDER_STATIN_WITH_HMGCR,
            severity=Severity.CRITICAL,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason="A statin is being ordered for a patient with anti-HMGCR myopathy: remove it.",
            evidence=(draft_order_evidence(order), *(antibody_evidence(a) for a in positive)),
            reference_section=SECTION,
            stop_references=(order.reference,),
            order_reference=order.reference,
        ),
    )
