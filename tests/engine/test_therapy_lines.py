"""Treatment lines at the edges (docs/clinical-logic.md, "refractory-gate",
"escalate-second-line", "escalate-third-line"): MTX + AZA as a second-line course, patients
started directly on a later line, a later-line trial in progress, and responding disease."""

from __future__ import annotations

from dataclasses import replace

from cds_service.engine import assess
from cds_service.engine.concepts import Agent, DrugClass, FattyReplacement, Measure
from cds_service.engine.facts import MedicationExposure, PatientFacts, SourceRef
from cds_service.engine.findings import FindingCode
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import (
    TODAY,
    ago,
    ck,
    codes,
    fatty,
    first_line,
    flag,
    med,
    number,
    only,
    patient,
    recommended,
    refractory_active_dm,
    tsh,
)

SECOND = FindingCode.ESCALATE_SECOND_LINE
THIRD = FindingCode.ESCALATE_THIRD_LINE
DAMAGE = FindingCode.WEAKNESS_LIKELY_DAMAGE
ESCALATIONS = {SECOND, THIRD}


# --- MTX + AZA together is a second-line exposure -------------------------------------------


def test_methotrexate_with_azathioprine_for_the_second_line_window_means_third_line() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=30, extra_medications=(med(Agent.AZATHIOPRINE, ago(14)),)
    )
    found = codes(facts)
    assert THIRD in found and SECOND not in found
    finding = only(facts, THIRD)
    assert any(e.label == "Time on methotrexate + azathioprine" for e in finding.evidence)


def test_methotrexate_with_azathioprine_given_briefly_is_a_trial_in_progress() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=30, extra_medications=(med(Agent.AZATHIOPRINE, ago(6)),)
    )
    assert not codes(facts) & ESCALATIONS


def test_methotrexate_then_azathioprine_without_overlap_is_still_first_line() -> None:
    # MTX stopped, then AZA: two first-line partners one after the other, never together.
    start = ago(30)
    facts = patient(
        labs=(ck(1200, ago(2)), tsh(2.0, ago(20))),
        medications=(
            med(Agent.PREDNISONE, start, dose=15),
            med(Agent.METHOTREXATE, start, ago(16), active=False),
            med(Agent.AZATHIOPRINE, ago(15)),
        ),
        measures=refractory_active_dm().measures,
    )
    assert SECOND in codes(facts)


# --- Started directly on a second- or third-line agent ---------------------------------------


def _direct(agent: Agent, weeks: float) -> PatientFacts:
    base = refractory_active_dm()
    return replace(
        base,
        medications=(med(Agent.PREDNISONE, ago(weeks), dose=20), med(agent, ago(weeks))),
    )


def test_glucocorticoid_with_a_second_line_agent_passes_the_first_line_gate() -> None:
    # With a longer second-line window the tacrolimus trial is still running at 14 weeks, but
    # GC + tacrolimus for T_refractory already passes the first-line gate.
    thresholds = Thresholds(refractory_second_line_weeks=20)
    gate = assess(_direct(Agent.TACROLIMUS, 14), thresholds, TODAY).gate
    assert gate.refractory_to_first_line and not gate.refractory_to_second_line
    assert any(e.label == "Time on GC + tacrolimus" for e in gate.first_line_evidence)


def test_time_on_a_direct_second_line_agent_counts_towards_its_trial() -> None:
    found = codes(_direct(Agent.TACROLIMUS, 14))
    assert THIRD in found and SECOND not in found


def test_started_directly_on_a_third_line_agent_passes_both_gates() -> None:
    facts = _direct(Agent.RITUXIMAB, 14)
    gate = assess(facts, Thresholds(), TODAY).gate
    assert gate.refractory_to_first_line and gate.refractory_to_second_line
    finding = only(facts, THIRD)
    assert SECOND not in codes(facts)
    assert Agent.RITUXIMAB not in {o.agent for o in finding.options}
    assert recommended(finding) is Agent.CYCLOPHOSPHAMIDE


def test_a_direct_third_line_trial_in_progress_gives_no_escalation() -> None:
    assert not codes(_direct(Agent.RITUXIMAB, 8)) & ESCALATIONS


# --- A later-line trial in progress ------------------------------------------------------------


def test_second_line_agent_given_now_without_a_start_is_a_trial_in_progress() -> None:
    untimed = MedicationExposure(
        agent=Agent.MYCOPHENOLATE,
        drug_class=DrugClass.ANTIMETABOLITE,
        active=True,
        source=SourceRef("MedicationStatement/mmf"),
        line=2,
    )
    facts = refractory_active_dm(extra_medications=(untimed,))
    assert not codes(facts) & ESCALATIONS


# --- Responding disease --------------------------------------------------------------------


def _with_strength(facts: PatientFacts, *readings: tuple[float, float]) -> PatientFacts:
    kept = tuple(m for m in facts.measures if m.measure is not Measure.MMT8_80)
    series = tuple(number(Measure.MMT8_80, value, ago(weeks)) for weeks, value in readings)
    return replace(facts, measures=(*kept, *series))


def test_strength_up_ten_percent_of_the_scale_on_the_current_line_is_not_refractory() -> None:
    facts = _with_strength(refractory_active_dm(), (10, 54), (2, 62))  # +8 of 80 = 10 %
    assert not codes(facts) & ESCALATIONS
    gate = assess(facts, Thresholds(), TODAY).gate
    assert not gate.refractory
    assert any(e.label == "Strength improving on the current line" for e in gate.response_evidence)


def test_a_smaller_rise_is_no_response() -> None:
    facts = _with_strength(refractory_active_dm(), (10, 56), (2, 62))  # +6 of 80 = 7.5 %
    assert SECOND in codes(facts)


def test_a_rise_from_before_the_window_is_no_response() -> None:
    facts = _with_strength(refractory_active_dm(weeks_on_first_line=30), (14, 50), (2, 62))
    assert SECOND in codes(facts)


def test_a_rise_from_before_the_current_line_is_no_response() -> None:
    # MMF (second line) started 9 weeks ago; the low reading was before it (on first line).
    facts = refractory_active_dm(
        weeks_on_first_line=40, extra_medications=(med(Agent.MYCOPHENOLATE, ago(9)),)
    )
    gate = assess(_with_strength(facts, (11, 50), (2, 62)), Thresholds(), TODAY).gate
    assert not gate.response_evidence


def test_responding_weakness_is_not_called_damage() -> None:
    damaged = patient(
        labs=(ck(150, ago(2)), tsh(2.0, ago(20))),
        medications=first_line(16),
        measures=(
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
            fatty(FattyReplacement.MODERATE, ago(4)),
        ),
    )
    assert DAMAGE in codes(_with_strength(damaged, (2, 60)))
    assert DAMAGE not in codes(_with_strength(damaged, (10, 50), (2, 60)))
