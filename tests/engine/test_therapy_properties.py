"""Hypothesis properties of the therapy side (docs/clinical-logic.md, "escalate-second-line",
"escalate-third-line", "order-duplicate-immunosuppressant") over generated charts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from cds_service.engine import evaluate, evaluate_orders
from cds_service.engine.concepts import Agent
from cds_service.engine.facts import MedicationExposure, PatientFacts, SourceRef
from cds_service.engine.findings import FindingCode
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.engine.therapy import LINE_OF_AGENT
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import CLASS_OF_AGENT, TODAY, refractory_active_dm
from tests.engine.test_order_classes import AGENTS, CLASS_NAME, COMBINATION
from tests.engine.test_properties import SETTINGS, any_patient

BASE = refractory_active_dm()
weeks = st.floats(min_value=0, max_value=80, allow_nan=False)


@st.composite
def courses(draw: st.DrawFn) -> MedicationExposure:
    """One agent of the lines: started some weeks ago, still given or stopped since."""
    agent = draw(st.sampled_from(AGENTS))
    started = TODAY - timedelta(weeks=draw(weeks))
    stopped = draw(st.none() | st.integers(min_value=0, max_value=400))
    end = None if stopped is None else min(TODAY, started + timedelta(days=stopped))
    return MedicationExposure(
        agent=agent,
        drug_class=CLASS_OF_AGENT[agent],
        active=end is None,
        source=SourceRef(f"MedicationRequest/{agent.value}-{draw(st.integers(1, 99))}"),
        start=started,
        end=end,
        line=LINE_OF_AGENT.get(agent),
    )


treated = st.lists(courses(), max_size=6).map(
    lambda extra: replace(BASE, medications=(*BASE.medications, *extra))
)


@SETTINGS
@given(any_patient | treated)
def test_second_and_third_line_cards_never_appear_together(facts: PatientFacts) -> None:
    codes = {f.code for f in evaluate(facts, Thresholds(), TODAY)}
    assert not {FindingCode.ESCALATE_SECOND_LINE, FindingCode.ESCALATE_THIRD_LINE} <= codes


@SETTINGS
@given(treated)
def test_no_escalation_card_while_a_later_line_trial_is_running(facts: PatientFacts) -> None:
    """A later-line agent given now for less than T_refractory_2nd: no escalate-* card."""
    window = timedelta(weeks=Thresholds().refractory_second_line_weeks)
    running = [
        m
        for m in facts.medications
        if m.active
        and (m.line or 0) >= 2
        and m.start is not None
        and TODAY - m.start < window
        and not any(
            o.agent is m.agent and o.start is not None and o.start < m.start
            for o in facts.medications
        )
    ]
    if running:
        codes = {f.code for f in evaluate(facts, Thresholds(), TODAY)}
        assert not codes & {FindingCode.ESCALATE_SECOND_LINE, FindingCode.ESCALATE_THIRD_LINE}


def _draft(agent: Agent) -> DraftOrder:
    return DraftOrder(
        reference="MedicationRequest/draft",
        selected=True,
        agent=agent,
        drug_class=CLASS_OF_AGENT[agent],
        line=LINE_OF_AGENT.get(agent),
        display=agent.value,
    )


@SETTINGS
@given(treated, st.sampled_from(AGENTS))
def test_no_two_agents_of_one_class_without_a_duplicate_card(
    facts: PatientFacts, drafted: Agent
) -> None:
    """Ordering an agent of the class of one given now gives the duplicate card, except
    MTX + AZA (a combination) and glucocorticoids (pulses on an oral GC are usual); an agent
    of no class given now never does."""
    given_now = {m.agent for m in facts.medications if m.active}
    clash = {
        a
        for a in given_now
        if CLASS_NAME.get(a) == CLASS_NAME[drafted]
        and CLASS_NAME[drafted] != "glucocorticoid"
        and {a, drafted} != COMBINATION
    }
    found = evaluate_orders(facts, [_draft(drafted)], Thresholds(), TODAY)
    duplicate = any(f.code is FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT for f in found)
    assert duplicate is bool(clash)
