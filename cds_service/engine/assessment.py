"""The intermediate picture of one patient that every rule reads (and the order hooks reuse).

``assess(facts, thresholds, today)`` gathers, once, what several rules need: the IIM
diagnosis, age group, antibody subtype (§2.4), treatment history and lines (§2.3, §3.2), activity
vs damage (§2.1), the TIS of the last interval (§3.5), the EULAR/ACR 2017 score (§3.6) and the
refractory gate (§2.0). ``evaluate`` in ``cds_service.engine`` turns it into findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cds_service.engine.activity import ActivityAssessment, assess_activity
from cds_service.engine.classification_eular_acr import ClassificationResult, Item, classify
from cds_service.engine.concepts import (
    ANTISYNTHETASE_ANTIBODIES,
    DERMATOMYOSITIS_DIAGNOSES,
    IIM_DIAGNOSES,
    MYOSITIS_ASSOCIATED_ANTIBODIES,
    MYOSITIS_SPECIFIC_ANTIBODIES,
    Analyte,
    Antibody,
    AntibodyStatus,
    Diagnosis,
    Measure,
)
from cds_service.engine.core_sets import Visit, visits
from cds_service.engine.evidence import antibody_evidence, diagnosis_evidence, measure_evidence
from cds_service.engine.facts import AntibodyResult, DiagnosisFact, PatientFacts
from cds_service.engine.findings import Evidence
from cds_service.engine.readings import BIOPSY_MEASURES, measures_until
from cds_service.engine.response_tis import (
    EnzymeRange,
    Population,
    TisResult,
    total_improvement_score,
)
from cds_service.engine.rules.refractory_gate import RefractoryGate, evaluate_gate
from cds_service.engine.subtype import Subtype, SubtypeAssessment
from cds_service.engine.therapy import TherapyHistory, build_therapy_history
from cds_service.engine.thresholds import Thresholds

_CLASSIFICATION_FLAGS: dict[Measure, Item] = {
    Measure.PROXIMAL_WEAKNESS_UPPER: Item.PROXIMAL_WEAKNESS_UPPER,
    Measure.PROXIMAL_WEAKNESS_LOWER: Item.PROXIMAL_WEAKNESS_LOWER,
    Measure.NECK_FLEXORS_WEAKER_THAN_EXTENSORS: Item.NECK_FLEXORS_WEAKER,
    Measure.LEGS_PROXIMAL_WEAKER_THAN_DISTAL: Item.LEGS_PROXIMAL_WEAKER,
    Measure.HELIOTROPE_RASH: Item.HELIOTROPE_RASH,
    Measure.GOTTRON_PAPULES: Item.GOTTRON_PAPULES,
    Measure.GOTTRON_SIGN: Item.GOTTRON_SIGN,
    Measure.DYSPHAGIA: Item.DYSPHAGIA,
    Measure.BIOPSY_RIMMED_VACUOLES: Item.BIOPSY_RIMMED_VACUOLES,
    Measure.BIOPSY_PERIFASCICULAR_ATROPHY: Item.BIOPSY_PERIFASCICULAR_ATROPHY,
    # The project code does not say where the infiltrate lies: the lower-weighted item is
    # scored (perimysial/perivascular, 1.2) rather than the endomysial one (1.7).
    Measure.BIOPSY_INFLAMMATION: Item.BIOPSY_PERIMYSIAL_INFILTRATE,
}
_CLASSIFICATION_ENZYMES: frozenset[Analyte] = frozenset(
    {Analyte.CK, Analyte.LDH, Analyte.AST, Analyte.ALT}
)


@dataclass(frozen=True, slots=True)
class Assessment:
    facts: PatientFacts
    thresholds: Thresholds
    today: date
    age: int | None
    juvenile: bool
    iim_diagnoses: tuple[DiagnosisFact, ...]
    latest_antibodies: tuple[AntibodyResult, ...]
    subtype: SubtypeAssessment
    therapy: TherapyHistory
    visits: tuple[Visit, ...]
    activity: ActivityAssessment
    response: TisResult | None
    classification: ClassificationResult | None
    gate: RefractoryGate

    @property
    def has_iim(self) -> bool:
        return bool(self.iim_diagnoses)

    @property
    def known_adult(self) -> bool:
        """Adult: known to be at least ``adult_age_years`` old on the evaluation date.

        Findings restricted to adults (suspect-ibm from its clues, malignancy-screening) need
        this, whatever the diagnosis (a JDM patient grown up is an adult); an unknown age is
        never taken as adult for them (a work-up gap asks for the birth date instead). The
        population choices (TIS thresholds, subtype order) follow ``juvenile`` instead.
        """
        return self.age is not None and self.age >= self.thresholds.adult_age_years

    @property
    def age_unknown(self) -> bool:
        """No birth date: no adults-only finding can be decided."""
        return self.age is None

    @property
    def diagnosis_evidence(self) -> tuple[Evidence, ...]:
        return tuple(diagnosis_evidence(d) for d in self.iim_diagnoses)

    def positive(self, *antibodies: Antibody) -> tuple[AntibodyResult, ...]:
        """Antibodies whose latest readable result is positive."""
        return _positive(self.latest_antibodies, *antibodies)

    @property
    def antibody_panel_done(self) -> bool:
        """A myositis antibody panel was done: any myositis-specific or -associated antibody is
        positive, or at least ``antibody_panel_min_specific`` myositis-specific antibodies have a
        readable (positive or negative) latest result. One negative anti-Jo-1 is not a panel.
        """
        if self.positive(*MYOSITIS_SPECIFIC_ANTIBODIES, *MYOSITIS_ASSOCIATED_ANTIBODIES):
            return True
        return len(self.specific_antibodies_tested) >= self.thresholds.antibody_panel_min_specific

    @property
    def specific_antibodies_tested(self) -> frozenset[Antibody]:
        """Myositis-specific antibodies whose latest result is positive or negative."""
        readable = (AntibodyStatus.POSITIVE, AntibodyStatus.NEGATIVE)
        return frozenset(
            a.antibody
            for a in self.latest_antibodies
            if a.antibody in MYOSITIS_SPECIFIC_ANTIBODIES and a.status in readable
        )

    @property
    def has_dermatomyositis(self) -> bool:
        return any(d.diagnosis in DERMATOMYOSITIS_DIAGNOSES for d in self.iim_diagnoses)


def assess(facts: PatientFacts, thresholds: Thresholds, today: date) -> Assessment:
    age = facts.age_on(today)
    iim = tuple(
        sorted(
            (d for d in facts.diagnoses if d.diagnosis in IIM_DIAGNOSES and d.active),
            key=lambda d: (d.onset or d.recorded or date.min, d.source.reference),
        )
    )
    juvenile = facts.has_diagnosis(Diagnosis.JUVENILE_DERMATOMYOSITIS) or (
        age is not None and age < thresholds.adult_age_years
    )
    antibodies = latest_antibodies(facts, thresholds, today)

    imnm = bool(_positive(antibodies, Antibody.HMGCR, Antibody.SRP))
    therapy = build_therapy_history(facts, thresholds, today, imnm=imnm)
    visit_list = visits(facts, today, thresholds.core_set_window_days)
    activity = assess_activity(
        facts,
        thresholds,
        today,
        visits=visit_list,
        juvenile=juvenile,
        anti_mda5=bool(_positive(antibodies, Antibody.MDA5)),
    )
    subtype = _subtype(facts, antibodies, juvenile, iim, activity, today)
    response = _last_interval_tis(visit_list, activity, juvenile, thresholds, today)
    gate = evaluate_gate(therapy, activity, response, thresholds, today)
    return Assessment(
        facts=facts,
        thresholds=thresholds,
        today=today,
        age=age,
        juvenile=juvenile,
        iim_diagnoses=iim,
        latest_antibodies=antibodies,
        subtype=subtype,
        therapy=therapy,
        visits=visit_list,
        activity=activity,
        response=response,
        classification=_classification(facts, iim, antibodies, today),
        gate=gate,
    )


def latest_antibodies(
    facts: PatientFacts, thresholds: Thresholds, today: date
) -> tuple[AntibodyResult, ...]:
    """The latest result of each antibody (``antibody_max_age_days`` applies).

    An indeterminate (unreadable) latest result never retracts an earlier positive one: the
    positive stands (a lost anti-HMGCR would hide a statin myopathy); it does hide an earlier
    negative (an old negative must not stand in for a result nobody could read).
    """
    oldest = (
        None
        if thresholds.antibody_max_age_days is None
        else today - timedelta(days=thresholds.antibody_max_age_days)
    )
    latest: list[AntibodyResult] = []
    for antibody in Antibody:
        results = [
            r
            for r in facts.antibody_results(antibody)
            if r.effective <= today and (oldest is None or r.effective >= oldest)
        ]
        if results:
            latest.append(_latest_standing(results))
    return tuple(latest)


def _latest_standing(results: list[AntibodyResult]) -> AntibodyResult:
    newest = results[-1]
    if newest.status is not AntibodyStatus.INDETERMINATE:
        return newest
    definite = [r for r in results if r.status is not AntibodyStatus.INDETERMINATE]
    if definite and definite[-1].status is AntibodyStatus.POSITIVE:
        return definite[-1]
    return newest


def _positive(
    antibodies: tuple[AntibodyResult, ...], *wanted: Antibody
) -> tuple[AntibodyResult, ...]:
    chosen = set(wanted)
    return tuple(
        a for a in antibodies if a.antibody in chosen and a.status is AntibodyStatus.POSITIVE
    )


def _subtype(
    facts: PatientFacts,
    antibodies: tuple[AntibodyResult, ...],
    juvenile: bool,
    iim: tuple[DiagnosisFact, ...],
    activity: ActivityAssessment,
    today: date,
) -> SubtypeAssessment:
    """The first §2.4 row that applies (order of ``Subtype``)."""
    hmgcr = _positive(antibodies, Antibody.HMGCR)
    if hmgcr:
        return SubtypeAssessment(Subtype.ANTI_HMGCR_IMNM, tuple(map(antibody_evidence, hmgcr)))
    srp = _positive(antibodies, Antibody.SRP)
    if srp:
        return SubtypeAssessment(Subtype.ANTI_SRP_IMNM, tuple(map(antibody_evidence, srp)))
    ild = [
        diagnosis_evidence(d)
        for d in facts.diagnoses
        if d.diagnosis is Diagnosis.INTERSTITIAL_LUNG_DISEASE and d.active
    ]
    progression = [
        measure_evidence(m)
        for m in measures_until(facts, Measure.ILD_PROGRESSION, today)
        if m.flag is True
    ]
    ild_evidence = (*ild[:1], *progression[-1:])
    mda5 = _positive(antibodies, Antibody.MDA5)
    if mda5 and ild_evidence:
        return SubtypeAssessment(
            Subtype.ANTI_MDA5_ILD, (*map(antibody_evidence, mda5), *ild_evidence)
        )
    ars = _positive(antibodies, *ANTISYNTHETASE_ANTIBODIES)
    if ars and ild_evidence:
        return SubtypeAssessment(
            Subtype.ANTISYNTHETASE_ILD, (*map(antibody_evidence, ars), *ild_evidence)
        )
    if juvenile:
        return SubtypeAssessment(Subtype.JUVENILE, tuple(map(diagnosis_evidence, iim[:1])))
    dermatomyositis = [d for d in iim if d.diagnosis in DERMATOMYOSITIS_DIAGNOSES]
    if dermatomyositis and activity.skin_activity and not activity.muscle_activity:
        return SubtypeAssessment(
            Subtype.DM_SKIN_PREDOMINANT,
            (diagnosis_evidence(dermatomyositis[0]), *activity.skin_activity),
        )
    return SubtypeAssessment(Subtype.DEFAULT, ())


def _last_interval_tis(
    visit_list: tuple[Visit, ...],
    activity: ActivityAssessment,
    juvenile: bool,
    thresholds: Thresholds,
    today: date,
) -> TisResult | None:
    """TIS over the last interval of two complete core sets, the later one current."""
    scale = activity.strength_scale
    if scale is None:
        return None
    complete = [(v, s) for v in visit_list if (s := v.core_set(scale)) is not None]
    if len(complete) < 2:
        return None
    (_, baseline), (latest_visit, follow_up) = complete[-2], complete[-1]
    if latest_visit.day < today - timedelta(weeks=thresholds.fresh_labs_weeks):
        return None
    enzyme_range = EnzymeRange(
        ck_uln_multiple=thresholds.tis_enzyme_range_ck_uln,
        other_uln_multiple=thresholds.tis_enzyme_range_other_uln,
    )
    population = Population.JUVENILE if juvenile else Population.ADULT
    try:
        return total_improvement_score(baseline, follow_up, population, enzyme_range)
    except ValueError:
        return None


def _classification(
    facts: PatientFacts,
    iim: tuple[DiagnosisFact, ...],
    antibodies: tuple[AntibodyResult, ...],
    today: date,
) -> ClassificationResult | None:
    """EULAR/ACR 2017 score where its clinical items are recorded (§3.6), else None."""
    recorded = [
        m for m in facts.measures if m.measure in _CLASSIFICATION_FLAGS and m.effective <= today
    ]
    if not recorded:
        return None
    present: set[Item] = set()
    for measure, item in _CLASSIFICATION_FLAGS.items():
        series = measures_until(facts, measure, today)
        if series and series[-1].flag is True:
            present.add(item)
    if any(a.antibody is Antibody.JO1 and a.status is AntibodyStatus.POSITIVE for a in antibodies):
        present.add(Item.ANTI_JO1)
    if any(
        r.analyte in _CLASSIFICATION_ENZYMES and (r.times_upper_limit or 0.0) > 1.0
        for r in facts.labs
        if r.effective <= today
    ):
        present.add(Item.ENZYME_ABOVE_ULN)
    with_biopsy = any(m.measure in BIOPSY_MEASURES for m in recorded)
    onsets = [d.onset for d in iim if d.onset is not None]
    age_at_onset = facts.age_on(min(onsets)) if onsets else None
    return classify(frozenset(present), age_at_onset=age_at_onset, with_biopsy=with_biopsy)
