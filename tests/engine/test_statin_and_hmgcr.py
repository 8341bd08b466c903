"""statin-and-hmgcr (docs/clinical-logic.md): stop the statin; suppresses nothing."""

from __future__ import annotations

from cds_service.engine.assessment import latest_antibodies
from cds_service.engine.concepts import Agent, Antibody, AntibodyStatus, Diagnosis
from cds_service.engine.facts import AntibodyResult, SourceRef
from cds_service.engine.findings import FindingCode, Severity
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import (
    TODAY,
    ago,
    antibody,
    codes,
    diagnosis,
    med,
    only,
    patient,
    recommended,
    refractory_active_dm,
)

CODE = FindingCode.STATIN_AND_HMGCR


def test_fires_with_escalation_alongside_and_ivig_preferred() -> None:
    statin = med(Agent.ATORVASTATIN, ago(100))
    facts = refractory_active_dm(
        diagnoses=(diagnosis(Diagnosis.INFLAMMATORY_MYOPATHY_OTHER),),
        extra_antibodies=(antibody(Antibody.HMGCR),),
        extra_medications=(statin,),
    )
    finding = only(facts, CODE)
    assert finding.severity is Severity.CRITICAL
    assert finding.stop_references == (statin.source.reference,)
    assert recommended(only(facts, FindingCode.ESCALATE_SECOND_LINE)) is Agent.IVIG


def test_stopped_statin_or_negative_antibody_does_not_fire() -> None:
    stopped = refractory_active_dm(
        extra_antibodies=(antibody(Antibody.HMGCR),),
        extra_medications=(med(Agent.SIMVASTATIN, ago(100), ago(50), active=False),),
    )
    negative = refractory_active_dm(
        extra_antibodies=(antibody(Antibody.HMGCR, positive=False),),
        extra_medications=(med(Agent.SIMVASTATIN, ago(100)),),
    )
    assert CODE not in codes(stopped)
    assert CODE not in codes(negative)


def test_fires_without_an_iim_diagnosis() -> None:
    # Statin-associated anti-HMGCR myopathy is often not yet coded as myositis.
    facts = patient(
        diagnoses=(),
        antibodies=(antibody(Antibody.HMGCR),),
        medications=(med(Agent.ATORVASTATIN, ago(100)),),
    )
    assert codes(facts) == {CODE}


def test_latest_antibody_result_up_to_today_decides() -> None:
    statin = (med(Agent.ATORVASTATIN, ago(100)),)
    # Positive now, a negative result dated in the future (data error) is not read.
    future_negative = patient(
        antibodies=(
            antibody(Antibody.HMGCR, when=ago(10)),
            antibody(Antibody.HMGCR, positive=False, when=ago(-4)),
        ),
        medications=statin,
    )
    future_positive = patient(
        antibodies=(
            antibody(Antibody.HMGCR, positive=False, when=ago(10)),
            antibody(Antibody.HMGCR, when=ago(-4)),
        ),
        medications=statin,
    )
    assert CODE in codes(future_negative)
    assert CODE not in codes(future_positive)


def test_antibody_max_age_applies_like_elsewhere() -> None:
    facts = patient(
        antibodies=(antibody(Antibody.HMGCR, when=ago(200)),),
        medications=(med(Agent.ATORVASTATIN, ago(100)),),
    )
    assert CODE in codes(facts)
    assert CODE not in codes(facts, Thresholds(antibody_max_age_days=365))


def test_a_statin_starting_in_the_future_is_not_given_yet() -> None:
    facts = patient(
        antibodies=(antibody(Antibody.HMGCR),),
        medications=(med(Agent.ATORVASTATIN, ago(-2)),),
    )
    assert CODE not in codes(facts)


def test_an_unreadable_newer_result_does_not_retract_a_positive_anti_hmgcr() -> None:

    unreadable = AntibodyResult(
        antibody=Antibody.HMGCR,
        status=AntibodyStatus.INDETERMINATE,
        effective=ago(1),
        source=SourceRef("Observation/unreadable"),
    )
    facts = refractory_active_dm(
        extra_antibodies=(antibody(Antibody.HMGCR, when=ago(30)), unreadable),
        extra_medications=(med(Agent.ATORVASTATIN, ago(100)),),
    )
    assert FindingCode.STATIN_AND_HMGCR in codes(facts)


def test_an_unreadable_newer_result_hides_an_older_negative_panel_member() -> None:

    unreadable = AntibodyResult(
        antibody=Antibody.HMGCR,
        status=AntibodyStatus.INDETERMINATE,
        effective=ago(1),
        source=SourceRef("Observation/unreadable"),
    )
    facts = refractory_active_dm(
        extra_antibodies=(antibody(Antibody.HMGCR, positive=False, when=ago(30)), unreadable)
    )
    latest = latest_antibodies(facts, Thresholds(), TODAY)
    (hmgcr,) = [a for a in latest if a.antibody is Antibody.HMGCR]
    assert hmgcr.status is AntibodyStatus.INDETERMINATE
