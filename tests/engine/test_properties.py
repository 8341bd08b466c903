"""Hypothesis properties of the whole engine on generated (synthetic) facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds_service.engine import Assessment, assess, evaluate
from cds_service.engine.concepts import (
    IIM_DIAGNOSES,
    MUSCLE_ENZYMES,
    Agent,
    Analyte,
    Antibody,
    AntibodyStatus,
    Diagnosis,
    FattyReplacement,
    Measure,
    Sex,
)
from cds_service.engine.facts import (
    AntibodyResult,
    DiagnosisFact,
    LabResult,
    MeasureResult,
    MedicationExposure,
    PatientFacts,
    SourceRef,
)
from cds_service.engine.findings import FindingCode
from cds_service.engine.subtype import Subtype
from cds_service.engine.therapy import line_of
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import CLASS_OF_AGENT, TODAY, refractory_active_dm

BASE = refractory_active_dm()
ESCALATIONS = {FindingCode.ESCALATE_SECOND_LINE, FindingCode.ESCALATE_THIRD_LINE}
LINE_OF_CODE = {FindingCode.ESCALATE_SECOND_LINE: 2, FindingCode.ESCALATE_THIRD_LINE: 3}

days = st.dates(min_value=TODAY - timedelta(days=3 * 365), max_value=TODAY + timedelta(days=30))
refs = st.integers(min_value=1, max_value=10_000).map(lambda n: SourceRef(f"Observation/g{n}"))

labs = st.builds(
    LabResult,
    analyte=st.sampled_from(Analyte),
    value=st.floats(min_value=0, max_value=5000, allow_nan=False),
    unit=st.just("U/L"),
    effective=days,
    source=refs,
    reference_low=st.none() | st.just(0.0),
    reference_high=st.none() | st.floats(min_value=0, max_value=1000, allow_nan=False),
)
antibodies = st.builds(
    AntibodyResult,
    antibody=st.sampled_from(Antibody),
    status=st.sampled_from(AntibodyStatus),
    effective=days,
    source=refs,
)
diagnoses = st.builds(
    DiagnosisFact,
    diagnosis=st.sampled_from(Diagnosis),
    active=st.booleans(),
    source=refs,
    onset=st.none() | days,
)
medications = st.sampled_from(sorted(CLASS_OF_AGENT)).flatmap(
    lambda agent: st.builds(
        MedicationExposure,
        agent=st.just(agent),
        drug_class=st.just(CLASS_OF_AGENT[agent]),
        active=st.booleans(),
        source=refs,
        start=st.none() | days,
        end=st.none() | days,
        daily_dose_mg=st.none() | st.floats(min_value=0, max_value=1000, allow_nan=False),
    )
)
measures = st.builds(
    MeasureResult,
    measure=st.sampled_from(Measure),
    effective=days,
    source=refs,
    number=st.none() | st.floats(min_value=0, max_value=150, allow_nan=False),
    flag=st.none() | st.booleans(),
    grade=st.none() | st.sampled_from(FattyReplacement),
)
patients = st.builds(
    PatientFacts,
    patient_reference=st.just("Patient/generated"),
    birth_date=st.none() | st.dates(min_value=date(1930, 1, 1), max_value=TODAY),
    sex=st.sampled_from(Sex),
    labs=st.lists(labs, max_size=8).map(tuple),
    antibodies=st.lists(antibodies, max_size=5).map(tuple),
    diagnoses=st.lists(diagnoses, max_size=3).map(tuple),
    medications=st.lists(medications, max_size=6).map(tuple),
    measures=st.lists(measures, max_size=10).map(tuple),
)
# Patients more likely to reach the escalation rules: an IIM diagnosis and a long first line.
iim_patients = patients.map(
    lambda p: replace(
        p,
        diagnoses=(
            DiagnosisFact(Diagnosis.DERMATOMYOSITIS, True, SourceRef("Condition/dm")),
            *p.diagnoses,
        ),
        medications=(
            MedicationExposure(
                agent=sorted(CLASS_OF_AGENT)[0],
                drug_class=CLASS_OF_AGENT[sorted(CLASS_OF_AGENT)[0]],
                active=True,
                source=SourceRef("MedicationRequest/gc"),
                start=TODAY - timedelta(weeks=20),
            ),
            *p.medications,
        ),
    )
)
# Patients built on an escalating base (adult DM, refractory, active) with random extra facts.
escalating_patients = patients.map(
    lambda p: replace(
        BASE,
        labs=(*BASE.labs, *p.labs[:3]),
        antibodies=(*BASE.antibodies, *p.antibodies[:2]),
        medications=(*BASE.medications, *p.medications[:2]),
        measures=(*BASE.measures, *p.measures[:4]),
    )
)
any_patient = patients | iim_patients | escalating_patients
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@SETTINGS
@given(any_patient)
def test_never_raises_and_every_finding_rests_on_evidence(facts: PatientFacts) -> None:
    found = evaluate(facts, Thresholds(), TODAY)
    assessment = assess(facts, Thresholds(), TODAY)
    never_offered = _never_offered(assessment)
    srp = assessment.subtype.subtype is Subtype.ANTI_SRP_IMNM
    for finding in found:
        assert finding.evidence, finding.code
        assert 0 < len(finding.reason) < 120
        if finding.code in LINE_OF_CODE:
            assert sum(o.recommended for o in finding.options) == 1
            line = LINE_OF_CODE[finding.code]
            assert all(
                line_of(o.agent) == line or (srp and line == 2 and o.agent is Agent.RITUXIMAB)
                for o in finding.options
            )
        if finding.options:
            assert sum(o.recommended for o in finding.options) == 1
        assert not {o.agent for o in finding.options} & never_offered
    assert len({f.code for f in found}) == len(found)
    assert evaluate(facts, Thresholds(), TODAY) == found  # deterministic


def _never_offered(assessment: Assessment) -> set[Agent]:
    """Rule 18 exclusions, worked out independently: agents had for their trial window
    (first line: refractory_weeks; later lines: T_refractory_2nd), agents given now, and
    agents of the same line and class as an agent given now."""
    thresholds, therapy = assessment.thresholds, assessment.therapy
    out: set[Agent] = set()
    for course in therapy.courses:
        window = (
            thresholds.refractory_weeks if course.line == 1 else therapy.second_line_weeks_needed
        )
        if course.line is not None and course.longest_weeks >= window:
            out.add(course.agent)
        if course.current:
            out.add(course.agent)
            out |= {
                a
                for a, cls in CLASS_OF_AGENT.items()
                if line_of(a) == course.line and cls is CLASS_OF_AGENT.get(course.agent)
            }
    return out


def _escalations(facts: PatientFacts) -> set[FindingCode]:
    return {f.code for f in evaluate(facts, Thresholds(), TODAY)} & ESCALATIONS


@pytest.mark.slow
@SETTINGS
@given(
    any_patient,
    st.sampled_from([g for g in FattyReplacement if g is not FattyReplacement.NONE]),
    days,
)
def test_adding_fatty_replacement_never_creates_an_escalation(
    facts: PatientFacts, grade: FattyReplacement, when: date
) -> None:
    damage = MeasureResult(
        Measure.MRI_FATTY_REPLACEMENT, when, SourceRef("Observation/fat"), grade=grade
    )
    after = replace(facts, measures=(*facts.measures, damage))
    assert _escalations(after) <= _escalations(facts)


@pytest.mark.slow
@SETTINGS
@given(
    any_patient,
    st.sampled_from(sorted(MUSCLE_ENZYMES)),
    st.floats(min_value=10, max_value=1000, allow_nan=False),
    st.floats(min_value=0, max_value=1, allow_nan=False),
    days,
)
def test_adding_a_normal_enzyme_never_creates_an_escalation(
    facts: PatientFacts, analyte: Analyte, upper: float, fraction: float, when: date
) -> None:
    normal = LabResult(analyte, upper * fraction, "U/L", when, SourceRef("Observation/n"), 0, upper)
    after = replace(facts, labs=(*facts.labs, normal))
    assert _escalations(after) <= _escalations(facts)


@pytest.mark.slow
@SETTINGS
@given(any_patient)
def test_removing_every_fact_leaves_at_most_workup_incomplete(facts: PatientFacts) -> None:
    """Only the IIM diagnosis kept (other Conditions, e.g. hypothyroidism, are facts; a coded
    IBM is an IIM diagnosis that fires suspect-ibm by itself, so it is left out too)."""
    kept = IIM_DIAGNOSES - {Diagnosis.INCLUSION_BODY_MYOSITIS}
    diagnosis_only = PatientFacts(
        patient_reference=facts.patient_reference,
        birth_date=facts.birth_date,
        diagnoses=tuple(d for d in facts.diagnoses if d.diagnosis in kept),
    )
    codes = {f.code for f in evaluate(diagnosis_only, Thresholds(), TODAY)}
    assert codes <= {FindingCode.WORKUP_INCOMPLETE}
    assert evaluate(PatientFacts(), Thresholds(), TODAY) == ()
