"""Refractory gate (docs/clinical-logic.md): escalation waits for enough first line."""

from __future__ import annotations

import pytest

from cds_service.engine import assess
from cds_service.engine.concepts import Agent, Measure
from cds_service.engine.facts import MeasureResult
from cds_service.engine.findings import FindingCode
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import (
    TODAY,
    ago,
    ck,
    codes,
    med,
    number,
    only,
    patient,
    refractory_active_dm,
)

ESCALATE = FindingCode.ESCALATE_SECOND_LINE


@pytest.mark.parametrize(("weeks", "fires"), [(11.9, False), (12, True), (16, True)])
def test_first_line_duration_boundary(weeks: float, fires: bool) -> None:
    facts = refractory_active_dm(weeks_on_first_line=weeks)
    assert (ESCALATE in codes(facts)) is fires


def test_configurable_refractory_window() -> None:
    facts = refractory_active_dm(weeks_on_first_line=16)
    assert ESCALATE not in codes(facts, Thresholds(refractory_weeks=20))


def test_glucocorticoid_alone_is_not_first_line() -> None:
    base = refractory_active_dm(weeks_on_first_line=16)
    steroid_only = tuple(m for m in base.medications if m.agent is Agent.PREDNISONE)
    facts = patient(
        labs=base.labs, antibodies=base.antibodies, medications=steroid_only, measures=base.measures
    )
    assert ESCALATE not in codes(facts)


def test_first_line_agents_must_overlap() -> None:
    base = refractory_active_dm()
    meds = (
        med(Agent.PREDNISONE, ago(40), ago(25), dose=20),  # stopped before MTX began
        med(Agent.METHOTREXATE, ago(20)),
    )
    facts = patient(
        labs=base.labs, antibodies=base.antibodies, medications=meds, measures=base.measures
    )
    assessment = assess(facts, Thresholds(), TODAY)
    assert assessment.therapy.first_line_period is None
    assert ESCALATE not in codes(facts)


def test_tapering_course_counts_as_one_exposure() -> None:
    # Prednisone 40 mg from 16 to 10 weeks ago, then 20 mg from 10 weeks ago on, with AZA.
    base = refractory_active_dm()
    meds = (
        med(Agent.PREDNISONE, ago(16), ago(10), dose=40, active=False),
        med(Agent.PREDNISONE, ago(10), dose=20),
        med(Agent.AZATHIOPRINE, ago(16)),
    )
    facts = patient(
        labs=base.labs, antibodies=base.antibodies, medications=meds, measures=base.measures
    )
    assessment = assess(facts, Thresholds(), TODAY)
    assert assessment.therapy.first_line_weeks == pytest.approx(16)
    assert ESCALATE in codes(facts)


def test_no_persistent_symptom_means_not_refractory() -> None:
    # CK still high, but MMT-8 is full (80/80) and nothing extramuscular is active.
    base = refractory_active_dm()
    measures = (number(Measure.MMT8_80, 80, ago(2)),)
    facts = patient(
        labs=base.labs, antibodies=base.antibodies, medications=base.medications, measures=measures
    )
    assessment = assess(facts, Thresholds(), TODAY)
    assert not assessment.gate.refractory_to_first_line
    assert assessment.gate.not_refractory_reason == "no persistent symptom"
    assert ESCALATE not in codes(facts)


def test_line_agent_started_within_stable_dose_window_defers_judgement() -> None:
    facts = refractory_active_dm(extra_medications=(med(Agent.AZATHIOPRINE, ago(2)),))
    assert assess(facts, Thresholds(), TODAY).gate.recently_started == ("azathioprine",)
    assert ESCALATE not in codes(facts)


def _core_visits(improving: bool) -> tuple[MeasureResult, ...]:
    # Two complete core sets 8 weeks apart. Improving: phys 6->3 (30 % -> 17.5),
    # MMT 50->60 of 80 (12.5 % -> 20): TIS >= 37.5 -> at least minimal (adult >= 20).
    # Not improving: every measure unchanged -> TIS 0.
    follow_phys, follow_mmt = (3, 60) if improving else (6, 50)
    return (
        number(Measure.PHYSICIAN_GLOBAL_ACTIVITY, 6, ago(10)),
        number(Measure.PATIENT_GLOBAL_ACTIVITY, 5, ago(10)),
        number(Measure.MMT8_80, 50, ago(10)),
        number(Measure.HAQ_DI, 1.0, ago(10)),
        number(Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY, 1.0, ago(10)),
        number(Measure.PHYSICIAN_GLOBAL_ACTIVITY, follow_phys, ago(2)),
        number(Measure.PATIENT_GLOBAL_ACTIVITY, 5, ago(2)),
        number(Measure.MMT8_80, follow_mmt, ago(2)),
        number(Measure.HAQ_DI, 1.0, ago(2)),
        number(Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY, 1.0, ago(2)),
    )


@pytest.mark.parametrize(("improving", "fires"), [(True, False), (False, True)])
def test_tis_improvement_over_the_last_interval_means_not_refractory_yet(
    improving: bool, fires: bool
) -> None:
    base = refractory_active_dm()
    measures = tuple(m for m in base.measures if m.measure is not Measure.MMT8_80)
    labs = (*base.labs, ck(1200, ago(10)))  # CK 6x ULN at both visits
    facts = patient(
        labs=labs,
        antibodies=base.antibodies,
        medications=base.medications,
        measures=(*measures, *_core_visits(improving)),
    )
    assessment = assess(facts, Thresholds(), TODAY)
    assert assessment.response is not None
    assert assessment.response.improved is improving
    assert (ESCALATE in codes(facts)) is fires
    if fires:
        escalation = only(facts, ESCALATE)
        assert any(e.label.startswith("Total Improvement Score") for e in escalation.evidence)
