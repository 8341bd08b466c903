"""Builders of synthetic PatientFacts for the engine tests (no real patient data)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from cds_service.engine import evaluate
from cds_service.engine.concepts import (
    Agent,
    Analyte,
    Antibody,
    AntibodyStatus,
    Diagnosis,
    DrugClass,
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
from cds_service.engine.findings import Finding, FindingCode
from cds_service.engine.therapy import LINE_OF_AGENT
from cds_service.engine.thresholds import Thresholds

TODAY = date(2025, 6, 30)
_ids = count(1)

CLASS_OF_AGENT: dict[Agent, DrugClass] = {
    Agent.PREDNISONE: DrugClass.GLUCOCORTICOID,
    Agent.PREDNISOLONE: DrugClass.GLUCOCORTICOID,
    Agent.METHYLPREDNISOLONE: DrugClass.GLUCOCORTICOID,
    Agent.METHOTREXATE: DrugClass.ANTIMETABOLITE,
    Agent.AZATHIOPRINE: DrugClass.ANTIMETABOLITE,
    Agent.MYCOPHENOLATE: DrugClass.ANTIMETABOLITE,
    Agent.TACROLIMUS: DrugClass.CALCINEURIN_INHIBITOR,
    Agent.CICLOSPORIN: DrugClass.CALCINEURIN_INHIBITOR,
    Agent.IVIG: DrugClass.IVIG,
    Agent.RITUXIMAB: DrugClass.ANTI_CD20,
    Agent.CYCLOPHOSPHAMIDE: DrugClass.ALKYLATING,
    Agent.ABATACEPT: DrugClass.COSTIMULATION_BLOCKER,
    Agent.TOFACITINIB: DrugClass.JAK_INHIBITOR,
    Agent.BARICITINIB: DrugClass.JAK_INHIBITOR,
    Agent.HYDROXYCHLOROQUINE: DrugClass.ANTIMALARIAL,
    Agent.ATORVASTATIN: DrugClass.STATIN,
    Agent.SIMVASTATIN: DrugClass.STATIN,
}


def ago(weeks: float = 0, days: int = 0, today: date = TODAY) -> date:
    return today - timedelta(weeks=weeks, days=days)


def ref(kind: str) -> SourceRef:
    return SourceRef(f"{kind}/t{next(_ids)}")


def diagnosis(
    kind: Diagnosis = Diagnosis.DERMATOMYOSITIS, *, active: bool = True, onset: date | None = None
) -> DiagnosisFact:
    return DiagnosisFact(diagnosis=kind, active=active, source=ref("Condition"), onset=onset)


def lab(
    analyte: Analyte, value: float, high: float | None, when: date, *, low: float | None = 0
) -> LabResult:
    return LabResult(
        analyte=analyte,
        value=value,
        unit="U/L",
        effective=when,
        source=ref("Observation"),
        reference_low=low,
        reference_high=high,
    )


def ck(value: float, when: date, high: float = 200) -> LabResult:
    return lab(Analyte.CK, value, high, when)


def tsh(value: float, when: date, high: float = 4.0) -> LabResult:
    return lab(Analyte.TSH, value, high, when, low=0.4)


def antibody(
    kind: Antibody, positive: bool = True, when: date = date(2024, 1, 10)
) -> AntibodyResult:
    status = AntibodyStatus.POSITIVE if positive else AntibodyStatus.NEGATIVE
    return AntibodyResult(antibody=kind, status=status, effective=when, source=ref("Observation"))


def med(
    agent: Agent,
    start: date,
    end: date | None = None,
    *,
    dose: float | None = None,
    active: bool | None = None,
) -> MedicationExposure:
    return MedicationExposure(
        agent=agent,
        drug_class=CLASS_OF_AGENT[agent],
        active=(end is None) if active is None else active,
        source=ref("MedicationRequest"),
        start=start,
        end=end,
        daily_dose_mg=dose,
        line=LINE_OF_AGENT.get(agent),
    )


def number(measure: Measure, value: float, when: date) -> MeasureResult:
    return MeasureResult(measure=measure, effective=when, source=ref("Observation"), number=value)


def flag(measure: Measure, value: bool, when: date) -> MeasureResult:
    return MeasureResult(measure=measure, effective=when, source=ref("Observation"), flag=value)


def fatty(grade: FattyReplacement, when: date) -> MeasureResult:
    return MeasureResult(
        measure=Measure.MRI_FATTY_REPLACEMENT,
        effective=when,
        source=ref("Observation"),
        grade=grade,
    )


def first_line(
    weeks: float, today: date = TODAY, *, partner: Agent = Agent.METHOTREXATE
) -> tuple[MedicationExposure, ...]:
    """Prednisone 15 mg/day plus MTX (or AZA), both started ``weeks`` ago and still given."""
    start = ago(weeks, today=today)
    return (med(Agent.PREDNISONE, start, dose=15), med(partner, start))


def patient(
    *,
    age: int = 45,
    diagnoses: tuple[DiagnosisFact, ...] | None = None,
    labs: tuple[LabResult, ...] = (),
    antibodies: tuple[AntibodyResult, ...] = (),
    medications: tuple[MedicationExposure, ...] = (),
    measures: tuple[MeasureResult, ...] = (),
    today: date = TODAY,
) -> PatientFacts:
    born = date(today.year - age, 1, 1)
    return PatientFacts(
        patient_reference="Patient/synthetic",
        birth_date=born,
        sex=Sex.FEMALE,
        labs=labs,
        antibodies=antibodies,
        diagnoses=(diagnosis(),) if diagnoses is None else diagnoses,
        medications=medications,
        measures=measures,
    )


def refractory_active_dm(
    *,
    age: int = 45,
    weeks_on_first_line: float = 16,
    ck_value: float = 1200,
    extra_antibodies: tuple[AntibodyResult, ...] = (),
    extra_medications: tuple[MedicationExposure, ...] = (),
    extra_measures: tuple[MeasureResult, ...] = (),
    extra_labs: tuple[LabResult, ...] = (),
    diagnoses: tuple[DiagnosisFact, ...] | None = None,
    today: date = TODAY,
) -> PatientFacts:
    """Adult DM, Mi-2+, GC + MTX 16 weeks, CK 6x ULN, MMT-8 62/80, MRI edema, TSH normal."""
    return patient(
        age=age,
        diagnoses=diagnoses,
        labs=(ck(ck_value, ago(2, today=today)), tsh(2.0, ago(20, today=today)), *extra_labs),
        antibodies=(antibody(Antibody.MI2), *extra_antibodies),
        medications=(*first_line(weeks_on_first_line, today), *extra_medications),
        measures=(
            number(Measure.MMT8_80, 62, ago(2, today=today)),
            flag(Measure.MRI_MUSCLE_EDEMA, True, ago(6, today=today)),
            fatty(FattyReplacement.NONE, ago(6, today=today)),
            *extra_measures,
        ),
        today=today,
    )


def findings(
    facts: PatientFacts, thresholds: Thresholds | None = None, today: date = TODAY
) -> tuple[Finding, ...]:
    return evaluate(facts, thresholds or Thresholds(), today)


def codes(
    facts: PatientFacts, thresholds: Thresholds | None = None, today: date = TODAY
) -> set[FindingCode]:
    return {f.code for f in findings(facts, thresholds, today)}


def only(facts: PatientFacts, code: FindingCode, thresholds: Thresholds | None = None) -> Finding:
    """The single finding with this code (fails the test when absent or repeated)."""
    matching = [f for f in findings(facts, thresholds) if f.code is code]
    assert len(matching) == 1, [f.code for f in findings(facts, thresholds)]
    return matching[0]


def recommended(finding: Finding) -> Agent:
    chosen = [o.agent for o in finding.options if o.recommended]
    assert len(chosen) == 1
    return chosen[0]


def lung_active_muscle_quiet_with_hypothyroidism() -> PatientFacts:
    """Anti-synthetase ILD active (ILD Condition since 2 years, progression read "yes" 2 weeks
    ago: progressing, not rapidly; extramuscular VAS 5), muscle quiet (CK normal, no edema),
    hypothyroidism coded with no current TSH."""
    return patient(
        labs=(ck(150, ago(2)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.JO1),),
        diagnoses=(
            diagnosis(Diagnosis.POLYMYOSITIS),
            # An ILD of 2 years: not rapidly progressive, so urgent-escalation does not fire.
            diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE, onset=ago(104)),
            diagnosis(Diagnosis.HYPOTHYROIDISM),
        ),
        medications=first_line(20),
        measures=(
            number(Measure.MMT8_80, 78, ago(2)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(6)),
            number(Measure.EXTRAMUSCULAR_GLOBAL_ACTIVITY, 5, ago(2)),
            flag(Measure.ILD_PROGRESSION, True, ago(2)),
        ),
    )
