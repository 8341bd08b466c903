"""urgent-escalation (docs/clinical-logic.md, "urgent-escalation"): never gated."""

from __future__ import annotations

import pytest

from cds_service.engine.concepts import Agent, Analyte, Antibody, Diagnosis, Measure
from cds_service.engine.facts import MeasureResult, MedicationExposure, PatientFacts
from cds_service.engine.findings import FindingCode, Severity
from tests.engine.builders import (
    ago,
    antibody,
    codes,
    diagnosis,
    flag,
    lab,
    med,
    number,
    only,
    patient,
    recommended,
    tsh,
)

CODE = FindingCode.URGENT_ESCALATION


def _mda5_ild(*measures: MeasureResult, meds: tuple[MedicationExposure, ...] = ()) -> PatientFacts:
    return patient(
        diagnoses=(diagnosis(), diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE)),
        antibodies=(antibody(Antibody.MDA5),),
        medications=(med(Agent.PREDNISONE, ago(2), dose=60), *meds),
        measures=measures,
    )


def test_ild_progression_fires_after_two_weeks_of_steroid_only() -> None:
    facts = _mda5_ild(flag(Measure.ILD_PROGRESSION, True, ago(1)))
    finding = only(facts, CODE)
    assert finding.severity is Severity.CRITICAL
    assert recommended(finding) is Agent.TACROLIMUS
    assert any(e.label == "ild-progression" for e in finding.evidence)


def test_agent_already_on_is_not_recommended() -> None:
    facts = _mda5_ild(
        flag(Measure.ILD_PROGRESSION, True, ago(1)), meds=(med(Agent.TACROLIMUS, ago(3)),)
    )
    finding = only(facts, CODE)
    # Neither tacrolimus nor ciclosporin (same line and class as the active tacrolimus): the
    # next agent of the anti-MDA5 row is recommended.
    assert not {Agent.TACROLIMUS, Agent.CICLOSPORIN} & {o.agent for o in finding.options}
    assert recommended(finding) is Agent.CYCLOPHOSPHAMIDE


def test_every_agent_of_the_row_had_names_the_rescue_options_without_an_order() -> None:
    row = (Agent.TACROLIMUS, Agent.CICLOSPORIN, Agent.CYCLOPHOSPHAMIDE, Agent.TOFACITINIB)
    had = tuple(med(a, ago(60), ago(40), active=False) for a in row)
    finding = only(_mda5_ild(flag(Measure.ILD_PROGRESSION, True, ago(1)), meds=had), CODE)
    assert finding.options == ()
    assert "plasma exchange" in finding.reason and "lung transplant" in finding.reason


def test_an_agent_tried_briefly_is_recommended_again() -> None:
    brief = (med(Agent.TACROLIMUS, ago(20), ago(18), active=False),)
    finding = only(_mda5_ild(flag(Measure.ILD_PROGRESSION, True, ago(1)), meds=brief), CODE)
    assert recommended(finding) is Agent.TACROLIMUS


def test_stale_ild_progression_does_not_fire() -> None:
    assert CODE not in codes(_mda5_ild(flag(Measure.ILD_PROGRESSION, True, ago(20))))


@pytest.mark.parametrize(
    ("before", "after", "weeks_apart", "fires"),
    [
        (80, 71, 8, True),  # 11.25 % relative fall
        (80, 72, 8, True),  # exactly 10 %: fires
        (80, 73, 8, False),  # 8.75 %
        (80, 70, 13, False),  # more than 12 weeks apart
        (80, 70, 12, True),  # exactly 12 weeks apart
    ],
)
def test_fvc_relative_fall(before: float, after: float, weeks_apart: int, fires: bool) -> None:
    facts = _mda5_ild(
        number(Measure.FVC_PERCENT_PREDICTED, before, ago(1 + weeks_apart)),
        number(Measure.FVC_PERCENT_PREDICTED, after, ago(1)),
    )
    assert (CODE in codes(facts)) is fires


def test_fvc_from_lab_results_counts_too() -> None:
    facts = _mda5_ild()
    facts = patient(
        diagnoses=facts.diagnoses,
        antibodies=facts.antibodies,
        labs=(
            lab(Analyte.FVC_PERCENT_PREDICTED, 90, None, ago(6)),
            lab(Analyte.FVC_PERCENT_PREDICTED, 75, None, ago(1)),
        ),
    )
    assert CODE in codes(facts)


def test_never_suppressed_by_a_mimic() -> None:
    facts = _mda5_ild(flag(Measure.ILD_PROGRESSION, True, ago(1)))
    facts = patient(
        diagnoses=(*facts.diagnoses, diagnosis(Diagnosis.HYPOTHYROIDISM)),
        antibodies=facts.antibodies,
        medications=facts.medications,
        measures=facts.measures,
        labs=(tsh(9.0, ago(1)),),
    )
    found = codes(facts)
    assert FindingCode.SUSPECT_HYPOTHYROIDISM in found
    assert CODE in found


def test_without_iim_diagnosis_needs_a_myositis_specific_antibody() -> None:
    progression = (flag(Measure.ILD_PROGRESSION, True, ago(1)),)
    ild_only = patient(
        diagnoses=(diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE),), measures=progression
    )
    assert codes(ild_only) == set()
    amyopathic = patient(
        diagnoses=(diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE),),
        antibodies=(antibody(Antibody.MDA5),),
        measures=progression,
    )
    assert codes(amyopathic) == {CODE}
