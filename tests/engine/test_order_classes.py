"""Order checks by drug class (docs/clinical-logic.md, "order-duplicate-immunosuppressant",
"order-line-guidance", "order-escalation-not-supported"): a table of every pair of
immunosuppressive agents at order time, MTX + AZA as a combination, IBM and IVIG for dysphagia.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import product

import pytest

from cds_service.engine import evaluate_orders
from cds_service.engine.concepts import Agent, Antibody, Diagnosis, Measure
from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import Finding, FindingCode
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.engine.therapy import LINE_OF_AGENT
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import (
    CLASS_OF_AGENT,
    TODAY,
    ago,
    antibody,
    diagnosis,
    flag,
    med,
    patient,
    refractory_active_dm,
)

DUPLICATE = FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT
GUIDANCE = FindingCode.ORDER_LINE_GUIDANCE
NOT_SUPPORTED = FindingCode.ORDER_ESCALATION_NOT_SUPPORTED

# The classes written out by hand (docs: "order-duplicate-immunosuppressant"), not read from
# the code under test.
CLASS_TABLE: dict[str, tuple[Agent, ...]] = {
    "glucocorticoid": (Agent.PREDNISONE, Agent.PREDNISOLONE, Agent.METHYLPREDNISOLONE),
    "antimetabolite": (Agent.METHOTREXATE, Agent.AZATHIOPRINE, Agent.MYCOPHENOLATE),
    "calcineurin inhibitor": (Agent.TACROLIMUS, Agent.CICLOSPORIN),
    "IVIG": (Agent.IVIG,),
    "anti-CD20": (Agent.RITUXIMAB,),
    "alkylating agent": (Agent.CYCLOPHOSPHAMIDE,),
    "co-stimulation blocker": (Agent.ABATACEPT,),
    "JAK inhibitor": (Agent.TOFACITINIB, Agent.BARICITINIB),
}
CLASS_NAME = {agent: name for name, agents in CLASS_TABLE.items() for agent in agents}
AGENTS = tuple(CLASS_NAME)
COMBINATION = {Agent.METHOTREXATE, Agent.AZATHIOPRINE}


def expected_duplicate(given: Agent, drafted: Agent) -> bool:
    """Same class; never glucocorticoids (pulses on an oral GC are usual), never MTX + AZA."""
    if CLASS_NAME[given] != CLASS_NAME[drafted] or CLASS_NAME[given] == "glucocorticoid":
        return False
    return {given, drafted} != COMBINATION


def draft(agent: Agent, rid: str = "d1") -> DraftOrder:
    return DraftOrder(
        reference=f"MedicationRequest/{rid}",
        selected=True,
        agent=agent,
        drug_class=CLASS_OF_AGENT[agent],
        line=LINE_OF_AGENT.get(agent),
        display=agent.value,
    )


def on(*agents: Agent) -> PatientFacts:
    """Adult DM six weeks into therapy (not refractory) on the given agents."""
    return patient(medications=tuple(med(a, ago(6)) for a in agents))


def orders(facts: PatientFacts, *drafts: DraftOrder) -> tuple[Finding, ...]:
    return evaluate_orders(facts, drafts, Thresholds(), TODAY)


def test_the_class_table_covers_every_immunosuppressive_agent() -> None:
    immunosuppressive = {
        a for a, c in CLASS_OF_AGENT.items() if c.value not in {"statin", "antimalarial"}
    }
    assert immunosuppressive == set(AGENTS)


@pytest.mark.parametrize(("given", "drafted"), list(product(AGENTS, AGENTS)), ids=lambda a: str(a))
def test_every_pair_of_agents_at_order_time(given: Agent, drafted: Agent) -> None:
    codes = {f.code for f in orders(on(given), draft(drafted))}
    assert (DUPLICATE in codes) is expected_duplicate(given, drafted)


@pytest.mark.parametrize(("first", "second"), list(product(AGENTS, AGENTS)), ids=lambda a: str(a))
def test_every_pair_of_drafts_in_one_session(first: Agent, second: Agent) -> None:
    found = orders(on(), draft(first, "d1"), draft(second, "d2"))
    about_first = {f.code for f in found if f.order_reference == "MedicationRequest/d1"}
    assert (DUPLICATE in about_first) is expected_duplicate(second, first)


def test_another_agent_of_the_class_replaces_the_old_one_and_stops_its_order() -> None:
    facts = on(Agent.METHOTREXATE)
    (finding,) = [f for f in orders(facts, draft(Agent.MYCOPHENOLATE)) if f.code is DUPLICATE]
    old = facts.medications[0].source.reference
    assert "mycophenolate replaces methotrexate" in finding.reason
    assert finding.stops_existing_orders and finding.stop_references == (old,)


def test_tacrolimus_replacing_ciclosporin_says_so() -> None:
    (finding,) = [
        f for f in orders(on(Agent.CICLOSPORIN), draft(Agent.TACROLIMUS)) if f.code is DUPLICATE
    ]
    assert "tacrolimus replaces ciclosporin" in finding.reason


@pytest.mark.parametrize(
    ("given", "drafted"),
    [(Agent.METHOTREXATE, Agent.AZATHIOPRINE), (Agent.AZATHIOPRINE, Agent.METHOTREXATE)],
)
def test_methotrexate_with_azathioprine_is_named_as_the_second_line_combination(
    given: Agent, drafted: Agent
) -> None:
    found = orders(on(given), draft(drafted))
    assert [f.code for f in found] == [GUIDANCE]
    assert "second-line combination" in found[0].reason


# --- IBM: escalation not supported, except IVIG for dysphagia ------------------------------


def _coded_ibm(*extra: Diagnosis) -> PatientFacts:
    return refractory_active_dm(
        age=67,
        diagnoses=(
            diagnosis(Diagnosis.POLYMYOSITIS),
            diagnosis(Diagnosis.INCLUSION_BODY_MYOSITIS),
            *(diagnosis(d) for d in extra),
        ),
    )


def test_coded_ibm_makes_an_escalation_draft_not_supported() -> None:
    found = orders(_coded_ibm(), draft(Agent.TACROLIMUS))
    assert NOT_SUPPORTED in {f.code for f in found}


def test_ivig_for_dysphagia_in_coded_ibm_is_guidance_not_a_warning() -> None:
    found = orders(_coded_ibm(Diagnosis.DYSPHAGIA), draft(Agent.IVIG))
    codes = {f.code for f in found}
    assert GUIDANCE in codes and NOT_SUPPORTED not in codes
    guidance = next(f for f in found if f.code is GUIDANCE)
    assert "dysphagia" in guidance.reason


def test_ivig_for_dysphagia_when_ibm_is_suspected_by_its_firing_rule() -> None:
    facts = refractory_active_dm(
        age=67,
        extra_antibodies=(antibody(Antibody.CN1A),),
        diagnoses=(diagnosis(Diagnosis.POLYMYOSITIS), diagnosis(Diagnosis.DYSPHAGIA)),
    )
    codes = {f.code for f in orders(facts, draft(Agent.IVIG))}
    assert GUIDANCE in codes and NOT_SUPPORTED not in codes


def test_another_agent_with_dysphagia_keeps_the_warning() -> None:
    codes = {f.code for f in orders(_coded_ibm(Diagnosis.DYSPHAGIA), draft(Agent.RITUXIMAB))}
    assert NOT_SUPPORTED in codes


def test_ivig_without_a_dysphagia_condition_keeps_the_warning() -> None:
    # A dysphagia measure flag is a clinical item, not the Condition the exception asks for.
    facts = _coded_ibm()
    facts = replace(facts, measures=(*facts.measures, flag(Measure.DYSPHAGIA, True, ago(2))))
    assert NOT_SUPPORTED in {f.code for f in orders(facts, draft(Agent.IVIG))}


def test_an_inactive_dysphagia_condition_keeps_the_warning() -> None:
    facts = refractory_active_dm(
        age=67,
        diagnoses=(
            diagnosis(Diagnosis.INCLUSION_BODY_MYOSITIS),
            diagnosis(Diagnosis.DYSPHAGIA, active=False),
        ),
    )
    assert NOT_SUPPORTED in {f.code for f in orders(facts, draft(Agent.IVIG))}
