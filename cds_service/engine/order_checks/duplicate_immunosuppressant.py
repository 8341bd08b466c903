"""Rule order-duplicate-immunosuppressant.

When: a draft immunosuppressant is of the same class as an agent the patient is on now, or as
      another draft order of the session (a different record: a re-signed order is not its
      own duplicate).
Then: a warning about that order naming the agent it duplicates.
Exempt: glucocorticoids (IV methylprednisolone pulses on oral prednisone are usual practice,
      §2.3 first line) and methotrexate with azathioprine (a named second-line combination,
      §2.3); statins and antimalarials are not immunosuppressants here; and mycophenolate
      ordered while the patient is refractory to first line is not a duplicate of the
      first-line methotrexate/azathioprine it replaces (the planned switch the escalation card
      recommends, its rationale "replaces methotrexate") — before refractoriness it still is,
      and any other agent of the class (another MMF record or draft) still is.
Reference: clinical-reference.md §2.3 (drug classes used by the order checks).
"""

from __future__ import annotations

from cds_service.engine.concepts import Agent, DrugClass
from cds_service.engine.evidence import medication_evidence
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.engine.order_checks.evidence import draft_order_evidence
from cds_service.engine.order_checks.subject import DraftAssessment
from cds_service.engine.rule import FindingSpec
from cds_service.engine.therapy import FIRST_LINE_IMMUNOSUPPRESSANTS, LATER_LINE_ANTIMETABOLITES

RULE_ID = "order-duplicate-immunosuppressant"
RULE_VERSION = "1.1.0"
SECTION = "order-duplicate-immunosuppressant"
FINDINGS = (
    FindingSpec(
        FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT, "Duplicate immunosuppressant", rank=230
    ),
)

NOT_CHECKED = frozenset({DrugClass.GLUCOCORTICOID, DrugClass.STATIN, DrugClass.ANTIMALARIAL})
ALLOWED_COMBINATIONS = frozenset({frozenset({Agent.METHOTREXATE, Agent.AZATHIOPRINE})})


def _duplicates(order: DraftOrder, other: Agent | None) -> bool:
    if other is None or order.agent is None:
        return False
    return frozenset({order.agent, other}) not in ALLOWED_COMBINATIONS or order.agent is other


def evaluate(subject: DraftAssessment) -> tuple[Finding, ...]:
    order, context = subject.order, subject.context
    if order.drug_class is None or order.drug_class in NOT_CHECKED:
        return ()
    evidence: list[Evidence] = []
    switching = (
        order.agent in LATER_LINE_ANTIMETABOLITES
        and context.assessment.gate.refractory_to_first_line
    )
    for exposure in context.assessment.facts.medications:
        if switching and exposure.agent in FIRST_LINE_IMMUNOSUPPRESSANTS:
            continue  # the planned switch away from first-line MTX/AZA
        if (
            exposure.active
            and exposure.drug_class is order.drug_class
            and exposure.source.reference != order.reference
            and _duplicates(order, exposure.agent)
        ):
            evidence.append(medication_evidence(exposure))
    for other in context.drafts:
        if (
            other.reference != order.reference
            and other.drug_class is order.drug_class
            and _duplicates(order, other.agent)
        ):
            evidence.append(draft_order_evidence(other))
    if not evidence:
        return ()
    return (
        Finding(
            code=FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT,
            severity=Severity.WARNING,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason=f"Same class ({order.drug_class.value}) as an agent already given or ordered.",
            evidence=(draft_order_evidence(order), *evidence),
            reference_section=SECTION,
            stop_references=(order.reference,),
            order_reference=order.reference,
        ),
    )
