"""Safety invariants of the mimic and activity rules, over generated (synthetic) charts.

docs/clinical-logic.md: "suspect-steroid-myopathy", "statin-and-hmgcr", "precedence".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cds_service.engine import evaluate
from cds_service.engine.concepts import (
    Agent,
    Analyte,
    Antibody,
    AntibodyStatus,
    Diagnosis,
    DrugClass,
    Measure,
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
from cds_service.engine.findings import Finding, FindingCode
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import CLASS_OF_AGENT, TODAY
from tests.engine.test_properties import any_patient

SSM = FindingCode.SUSPECT_STEROID_MYOPATHY
ESCALATIONS = {FindingCode.ESCALATE_SECOND_LINE, FindingCode.ESCALATE_THIRD_LINE}
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
STEROIDS = (Agent.PREDNISONE, Agent.PREDNISOLONE, Agent.METHYLPREDNISOLONE)
_ids = iter(range(1, 10**9))


def _ref(kind: str) -> SourceRef:
    return SourceRef(f"{kind}/p{next(_ids)}")


def _weeks_ago(weeks: float) -> date:
    return TODAY - timedelta(days=round(weeks * 7))


@st.composite
def steroid_charts(draw: st.DrawFn, likely: bool = False) -> PatientFacts:
    """Charts around glucocorticoid myopathy: a GC course (two steps, any agents and doses),
    maybe MTX or IVIG, a CK series, MMT-8 values, an MRI edema reading, neck flexors, and maybe
    lung or skin activity. ``likely``: the MMT fall, the edema-free MRI and the course length
    are drawn so that the myopathy rule often holds."""
    course_weeks = draw(st.floats(min_value=13 if likely else 2, max_value=60))
    start = _weeks_ago(course_weeks)
    split = draw(st.floats(min_value=0.1, max_value=0.9))
    step = start + timedelta(days=round(course_weeks * 7 * split))
    first, second = draw(st.sampled_from(STEROIDS)), draw(st.sampled_from(STEROIDS))
    meds = [
        MedicationExposure(
            first,
            DrugClass.GLUCOCORTICOID,
            False,
            _ref("MedicationRequest"),
            start,
            step - timedelta(days=1),
            draw(st.floats(min_value=5, max_value=80)),
            1,
        ),
        MedicationExposure(
            second,
            DrugClass.GLUCOCORTICOID,
            True,
            _ref("MedicationRequest"),
            step,
            None,
            draw(st.floats(min_value=2.5, max_value=60)),
            1,
        ),
    ]
    if draw(st.booleans()):
        agent = draw(st.sampled_from([Agent.METHOTREXATE, Agent.AZATHIOPRINE, Agent.IVIG]))
        meds.append(
            MedicationExposure(
                agent,
                CLASS_OF_AGENT[agent],
                True,
                _ref("MedicationRequest"),
                start,
                None,
                None,
                1 if agent is not Agent.IVIG else 2,
            )
        )
    uln = draw(st.sampled_from([176.0, 200.0, 336.0]))
    ck_values = draw(st.lists(st.floats(min_value=20, max_value=20000), min_size=1, max_size=4))
    ck_days = sorted(
        draw(
            st.lists(
                st.integers(min_value=1, max_value=round(course_weeks * 7) + 60),
                min_size=len(ck_values),
                max_size=len(ck_values),
                unique=True,
            )
        ),
        reverse=True,
    )
    labs = [
        LabResult(
            Analyte.CK, value, "U/L", TODAY - timedelta(days=ago), _ref("Observation"), 30.0, uln
        )
        for value, ago in zip(ck_values, ck_days, strict=True)
    ]
    best = draw(st.floats(min_value=40, max_value=80))
    latest = draw(st.floats(min_value=20, max_value=best - 4 if likely else 80))
    measures = [
        MeasureResult(
            Measure.MMT8_80, _weeks_ago(course_weeks * split), _ref("Observation"), number=best
        ),
        MeasureResult(Measure.MMT8_80, _weeks_ago(0.5), _ref("Observation"), number=latest),
        MeasureResult(
            Measure.MRI_MUSCLE_EDEMA,
            _weeks_ago(
                draw(st.floats(min_value=0.5, max_value=course_weeks - 1 if likely else 70))
            ),
            _ref("Observation"),
            flag=False if likely else draw(st.booleans()),
        ),
    ]
    neck = draw(st.lists(st.integers(min_value=4, max_value=10), max_size=2))
    measures.extend(
        MeasureResult(
            Measure.NECK_FLEXOR_STRENGTH,
            _weeks_ago(6 - 5 * i),
            _ref("Observation"),
            number=float(v),
        )
        for i, v in enumerate(neck)
    )
    if draw(st.booleans()):
        measures.append(
            MeasureResult(Measure.ILD_PROGRESSION, _weeks_ago(1), _ref("Observation"), flag=True)
        )
    if draw(st.booleans()):
        measures.append(
            MeasureResult(
                Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY,
                _weeks_ago(1),
                _ref("Observation"),
                number=draw(st.floats(min_value=0, max_value=10)),
            )
        )
    diagnoses = [
        DiagnosisFact(
            draw(st.sampled_from([Diagnosis.DERMATOMYOSITIS, Diagnosis.POLYMYOSITIS])),
            True,
            _ref("Condition"),
            onset=_weeks_ago(course_weeks + 4),
        ),
    ]
    if draw(st.booleans()):
        diagnoses.append(
            DiagnosisFact(
                Diagnosis.INTERSTITIAL_LUNG_DISEASE, True, _ref("Condition"), onset=_weeks_ago(200)
            )
        )
    antibodies = [
        AntibodyResult(
            draw(st.sampled_from([Antibody.MI2, Antibody.JO1, Antibody.SRP])),
            AntibodyStatus.POSITIVE,
            _weeks_ago(course_weeks + 2),
            _ref("Observation"),
        )
    ]
    return PatientFacts(
        patient_reference="Patient/generated",
        birth_date=date(1965, 5, 5),
        labs=tuple(labs),
        antibodies=tuple(antibodies),
        diagnoses=tuple(diagnoses),
        medications=tuple(meds),
        measures=tuple(measures),
    )


def _found(facts: PatientFacts) -> tuple[Finding, ...]:
    return evaluate(facts, Thresholds(), TODAY)


def _codes(facts: PatientFacts) -> set[FindingCode]:
    return {f.code for f in _found(facts)}


@SETTINGS
@given(steroid_charts() | any_patient, st.integers(min_value=0, max_value=30))
def test_adding_stir_edema_to_the_latest_mri_never_creates_steroid_myopathy(
    facts: PatientFacts, days_ago: int
) -> None:
    when = TODAY - timedelta(days=days_ago)
    later = [m.effective for m in facts.measure_series(Measure.MRI_MUSCLE_EDEMA)]
    assume(all(d < when for d in later))  # the edema reading is the latest MRI reading
    edema = MeasureResult(Measure.MRI_MUSCLE_EDEMA, when, SourceRef("Observation/edema"), flag=True)
    after = replace(facts, measures=(*facts.measures, edema))
    assert SSM not in _codes(after)


@SETTINGS
@given(steroid_charts(likely=True), st.floats(min_value=0.05, max_value=1.0))
def test_a_falling_ck_under_a_gc_course_never_brings_a_muscle_escalation_where_it_held(
    facts: PatientFacts, share: float
) -> None:
    assume(SSM in _codes(facts))
    series = facts.lab_series(Analyte.CK)
    course_start = min(m.start for m in facts.medications if m.start is not None)
    peak = max((r.value for r in series if r.effective >= course_start), default=series[-1].value)
    # Lower than the CK before it and at most half the course peak, dated after the last CK.
    value = min(series[-1].value * 0.99, peak * 0.5) * share
    when = max(series[-1].effective + timedelta(days=1), TODAY - timedelta(days=3))
    assume(when <= TODAY)
    falling = LabResult(
        Analyte.CK,
        value,
        "U/L",
        when,
        SourceRef("Observation/falling"),
        30.0,
        series[-1].reference_high,
    )
    after = _found(replace(facts, labs=(*facts.labs, falling)))
    assert SSM in {f.code for f in after}
    for finding in after:
        if finding.code in ESCALATIONS:
            # Only an escalation told for the lung or skin may stand beside the myopathy.
            assert finding.extramuscular_only
            assert "Driven by active" in finding.reason
            assert not {e.reference for e in finding.evidence} & {
                r.source.reference for r in facts.labs
            }


def _with_statin_and_hmgcr(facts: PatientFacts, statin_active: bool) -> PatientFacts:
    statin = MedicationExposure(
        Agent.ATORVASTATIN,
        DrugClass.STATIN,
        statin_active,
        SourceRef("MedicationRequest/statin"),
        TODAY - timedelta(weeks=30),
    )
    hmgcr = AntibodyResult(
        Antibody.HMGCR,
        AntibodyStatus.POSITIVE,
        TODAY - timedelta(weeks=5),
        SourceRef("Observation/hmgcr"),
    )
    return replace(
        facts,
        medications=(*facts.medications, statin),
        antibodies=(*facts.antibodies, hmgcr),
    )


@SETTINGS
@given(any_patient | steroid_charts(), st.booleans(), st.booleans(), st.data())
def test_removing_a_statin_never_creates_statin_and_hmgcr(
    facts: PatientFacts, add_hmgcr: bool, active: bool, data: st.DataObject
) -> None:
    if add_hmgcr:
        facts = _with_statin_and_hmgcr(facts, active)
    statins = [i for i, m in enumerate(facts.medications) if m.drug_class is DrugClass.STATIN]
    assume(statins)
    index = data.draw(st.sampled_from(statins))
    without = replace(
        facts, medications=tuple(m for i, m in enumerate(facts.medications) if i != index)
    )
    if FindingCode.STATIN_AND_HMGCR in _codes(without):
        assert FindingCode.STATIN_AND_HMGCR in _codes(facts)
