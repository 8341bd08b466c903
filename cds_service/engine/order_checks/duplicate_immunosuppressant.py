"""Rule order-duplicate-immunosuppressant.

When: a draft immunosuppressant is of the same class as an agent the patient is on now, or as
      another draft order of the session (a different record: a re-signed order is not its
      own duplicate).
Then: a warning about that order.
      - The same agent again: the draft duplicates it; the suggestion removes the draft.
      - Another agent of the class (mycophenolate with methotrexate or azathioprine; tacrolimus
        with ciclosporin; tofacitinib with baricitinib): the new agent replaces the old one,
        so the old order should be stopped; the text says so and the suggestion stops the old
        order(s) (``stops_existing_orders``). This is how the escalation card's "replaces
        methotrexate" option is carried out.
Exempt: methotrexate with azathioprine (together a second-line combination, not a duplicate;
      order-line-guidance names it); glucocorticoids (IV methylprednisolone pulses on oral
      prednisone are usual practice); statins and antimalarials are not immunosuppressants
      here.
Reference: docs/clinical-logic.md, "order-duplicate-immunosuppressant".
"""

from __future__ import annotations

from dataclasses import dataclass

from cds_service.engine.concepts import Agent, DrugClass
from cds_service.engine.evidence import medication_evidence
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.engine.order_checks.evidence import draft_order_evidence
from cds_service.engine.order_checks.subject import DraftAssessment
from cds_service.engine.rule import FindingSpec

RULE_ID = "order-duplicate-immunosuppressant"
RULE_VERSION = "1.2.0"
SECTION = "order-duplicate-immunosuppressant"
FINDINGS = (
    FindingSpec(
        FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT, "Duplicate immunosuppressant", rank=230
    ),
)

NOT_CHECKED = frozenset({DrugClass.GLUCOCORTICOID, DrugClass.STATIN, DrugClass.ANTIMALARIAL})
ALLOWED_COMBINATIONS = frozenset({frozenset({Agent.METHOTREXATE, Agent.AZATHIOPRINE})})


def is_duplicate(new: Agent, old: Agent, same_class: bool) -> bool:
    """Whether ordering ``new`` while ``old`` is given (or ordered) is a duplicate."""
    return same_class and frozenset({new, old}) not in ALLOWED_COMBINATIONS


@dataclass(frozen=True, slots=True)
class _Clash:
    agent: Agent
    reference: str
    evidence: Evidence


def _clashes(order: DraftOrder, subject: DraftAssessment) -> list[_Clash]:
    assert order.agent is not None
    context = subject.context
    found: list[_Clash] = []
    for exposure in context.assessment.facts.medications:
        if (
            exposure.active
            and exposure.source.reference != order.reference
            and is_duplicate(order.agent, exposure.agent, exposure.drug_class is order.drug_class)
        ):
            found.append(
                _Clash(exposure.agent, exposure.source.reference, medication_evidence(exposure))
            )
    for other in context.drafts:
        if (
            other.reference != order.reference
            and other.agent is not None
            and is_duplicate(order.agent, other.agent, other.drug_class is order.drug_class)
        ):
            found.append(_Clash(other.agent, other.reference, draft_order_evidence(other)))
    return found


def evaluate(subject: DraftAssessment) -> tuple[Finding, ...]:
    order = subject.order
    if order.agent is None or order.drug_class is None or order.drug_class in NOT_CHECKED:
        return ()
    clashes = _clashes(order, subject)
    if not clashes:
        return ()
    same_agent = [c for c in clashes if c.agent is order.agent]
    if same_agent:
        reason = f"{order.agent.value} is already given or ordered: this draft duplicates it."
        stops: tuple[str, ...] = (order.reference,)
    else:
        replaced = sorted({c.agent.value for c in clashes})
        names = " and ".join(replaced)
        reason = (
            f"Same class ({order.drug_class.value}): {order.agent.value} replaces {names}; "
            f"stop the {names} order."
        )
        stops = tuple(dict.fromkeys(c.reference for c in clashes))
    return (
        Finding(
            code=FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT,
            severity=Severity.WARNING,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason=reason,
            evidence=(draft_order_evidence(order), *(c.evidence for c in clashes)),
            reference_section=SECTION,
            stop_references=stops,
            stops_existing_orders=not same_agent,
            order_reference=order.reference,
        ),
    )
