"""The four order checks, one behaviour each, on facts built directly (no HTTP)."""

from __future__ import annotations

from dataclasses import replace

from cds_service.engine import evaluate_orders
from cds_service.engine.concepts import (
    Agent,
    Analyte,
    Antibody,
    Diagnosis,
    FattyReplacement,
    Measure,
)
from cds_service.engine.facts import PatientFacts
from cds_service.engine.findings import Finding, FindingCode, Workup
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.engine.therapy import LINE_OF_AGENT
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import (
    CLASS_OF_AGENT,
    TODAY,
    ago,
    antibody,
    ck,
    diagnosis,
    fatty,
    findings,
    first_line,
    flag,
    lab,
    lung_active_muscle_quiet_with_hypothyroidism,
    med,
    number,
    patient,
    refractory_active_dm,
    tsh,
)


def draft(agent: Agent | None, rid: str = "d1", *, selected: bool = True) -> DraftOrder:
    return DraftOrder(
        reference=f"MedicationRequest/{rid}",
        selected=selected,
        agent=agent,
        drug_class=CLASS_OF_AGENT[agent] if agent else None,
        line=LINE_OF_AGENT.get(agent) if agent else None,
        display=agent.value if agent else "something else",
    )


def order_codes(facts: PatientFacts, *drafts: DraftOrder) -> list[tuple[FindingCode, str]]:
    return [
        (f.code, f.order_reference) for f in evaluate_orders(facts, drafts, Thresholds(), TODAY)
    ]


def test_statin_draft_with_positive_hmgcr_is_critical_and_removable() -> None:
    facts = refractory_active_dm(extra_antibodies=(antibody(Antibody.HMGCR),))
    (finding,) = evaluate_orders(facts, [draft(Agent.ATORVASTATIN)], Thresholds(), TODAY)
    assert finding.code is FindingCode.ORDER_STATIN_WITH_HMGCR
    assert finding.stop_references == ("MedicationRequest/d1",)
    assert finding.evidence[0].reference == "MedicationRequest/d1"


def test_statin_draft_with_negative_hmgcr_is_silent() -> None:
    facts = refractory_active_dm(extra_antibodies=(antibody(Antibody.HMGCR, positive=False),))
    assert order_codes(facts, draft(Agent.ATORVASTATIN)) == []


def test_unselected_drafts_are_context_only() -> None:
    facts = refractory_active_dm(extra_antibodies=(antibody(Antibody.HMGCR),))
    assert order_codes(facts, draft(Agent.ATORVASTATIN, selected=False)) == []


def test_unrecognised_drafts_are_never_checked() -> None:
    assert order_codes(refractory_active_dm(), draft(None)) == []


def test_escalation_blocked_by_hypothyroidism_shows_the_tsh() -> None:
    facts = refractory_active_dm(extra_labs=(tsh(12.0, ago(1)),))
    (finding,) = evaluate_orders(facts, [draft(Agent.TACROLIMUS)], Thresholds(), TODAY)
    assert finding.code is FindingCode.ORDER_ESCALATION_NOT_SUPPORTED
    assert any("12" in e.value for e in finding.evidence)
    assert finding.workup == ()  # the TSH is current: no repeat asked for


def test_escalation_blocked_by_coded_hypothyroidism_without_a_current_tsh_asks_for_one() -> None:
    facts = refractory_active_dm(
        diagnoses=(diagnosis(), diagnosis(Diagnosis.HYPOTHYROIDISM)),
    )
    (finding,) = evaluate_orders(facts, [draft(Agent.TACROLIMUS)], Thresholds(), TODAY)
    assert finding.code is FindingCode.ORDER_ESCALATION_NOT_SUPPORTED
    assert finding.workup == (Workup.TSH,)


def test_escalation_blocked_by_steroid_myopathy_proposes_no_mri_it_already_has() -> None:
    # suspect-steroid-myopathy needs a current MRI without edema: asking for another one is
    # noise (a review found a thigh MRI always proposed).
    facts = patient(
        labs=(ck(150, ago(1)), lab(Analyte.ALDOLASE, 24, 8, ago(1)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=(med(Agent.PREDNISONE, ago(16), dose=30), med(Agent.METHOTREXATE, ago(16))),
        measures=(
            number(Measure.MMT8_80, 70, ago(6)),
            number(Measure.MMT8_80, 62, ago(1)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(2)),
        ),
    )
    assert FindingCode.SUSPECT_STEROID_MYOPATHY in {f.code for f in findings(facts)}
    finding = _not_supported(facts, Agent.IVIG)
    assert Workup.THIGH_MRI_STIR not in finding.workup


def test_escalation_blocked_by_damage_proposes_no_mri_or_enzymes_it_already_has() -> None:
    # weakness-likely-damage rests on a current MRI and current enzymes: nothing to repeat.
    current = patient(
        labs=(ck(150, ago(1)), tsh(2.0, ago(20))),
        antibodies=(antibody(Antibody.MI2),),
        medications=first_line(30),
        measures=(
            number(Measure.MMT8_80, 60, ago(1)),
            flag(Measure.MRI_MUSCLE_EDEMA, False, ago(4)),
            fatty(FattyReplacement.MODERATE, ago(4)),
        ),
    )
    assert FindingCode.WEAKNESS_LIKELY_DAMAGE in {f.code for f in findings(current)}
    assert _not_supported(current, Agent.RITUXIMAB).workup == ()


def _not_supported(facts: PatientFacts, agent: Agent) -> Finding:
    (finding,) = [
        f
        for f in evaluate_orders(facts, [draft(agent)], Thresholds(), TODAY)
        if f.code is FindingCode.ORDER_ESCALATION_NOT_SUPPORTED
    ]
    return finding


def test_escalation_for_an_active_refractory_patient_is_supported() -> None:
    facts = refractory_active_dm()
    codes = {c for c, _ in order_codes(facts, draft(Agent.TACROLIMUS))}
    assert FindingCode.ORDER_ESCALATION_NOT_SUPPORTED not in codes


def test_statin_with_hmgcr_alone_does_not_block_escalation() -> None:
    facts = refractory_active_dm(
        extra_antibodies=(antibody(Antibody.HMGCR),),
        extra_medications=(med(Agent.ATORVASTATIN, ago(200)),),
    )
    codes = {c for c, _ in order_codes(facts, draft(Agent.IVIG))}
    assert FindingCode.ORDER_ESCALATION_NOT_SUPPORTED not in codes


def test_same_class_as_an_active_agent_is_a_duplicate() -> None:
    facts = refractory_active_dm(extra_medications=(med(Agent.TACROLIMUS, ago(8)),))
    assert (FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT, "MedicationRequest/d1") in order_codes(
        facts, draft(Agent.CICLOSPORIN)
    )


def test_a_stopped_agent_of_the_same_class_is_no_duplicate() -> None:
    facts = refractory_active_dm(extra_medications=(med(Agent.TACROLIMUS, ago(30), ago(10)),))
    codes = {c for c, _ in order_codes(facts, draft(Agent.CICLOSPORIN))}
    assert FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT not in codes


def test_two_drafts_of_one_class_duplicate_each_other() -> None:
    found = order_codes(
        refractory_active_dm(), draft(Agent.TACROLIMUS, "a"), draft(Agent.CICLOSPORIN, "b")
    )
    duplicates = [
        ref for code, ref in found if code is FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT
    ]
    assert duplicates == ["MedicationRequest/a", "MedicationRequest/b"]


def test_methotrexate_with_azathioprine_and_glucocorticoid_pulses_are_not_duplicates() -> None:
    facts = refractory_active_dm()  # on prednisone and methotrexate
    found = order_codes(facts, draft(Agent.AZATHIOPRINE, "a"), draft(Agent.METHYLPREDNISOLONE, "m"))
    assert FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT not in {c for c, _ in found}


def test_third_line_before_any_second_line_trial_gets_line_guidance() -> None:
    found = order_codes(refractory_active_dm(), draft(Agent.RITUXIMAB))
    assert found == [(FindingCode.ORDER_LINE_GUIDANCE, "MedicationRequest/d1")]


def test_third_line_after_a_second_line_trial_needs_no_guidance() -> None:
    facts = refractory_active_dm(extra_medications=(med(Agent.MYCOPHENOLATE, ago(20)),))
    assert order_codes(facts, draft(Agent.CYCLOPHOSPHAMIDE)) == []


def test_rituximab_in_anti_srp_shows_the_subtype_evidence() -> None:
    facts = refractory_active_dm(
        diagnoses=(diagnosis(Diagnosis.POLYMYOSITIS),),
        extra_antibodies=(antibody(Antibody.SRP),),
        extra_medications=(med(Agent.IVIG, ago(20)),),
    )
    (finding,) = evaluate_orders(facts, [draft(Agent.RITUXIMAB)], Thresholds(), TODAY)
    assert finding.code is FindingCode.ORDER_LINE_GUIDANCE
    assert "SRP" in finding.reason


def test_cyclophosphamide_in_rapidly_progressive_ild_is_not_out_of_order() -> None:
    facts = refractory_active_dm(
        weeks_on_first_line=2,
        extra_antibodies=(antibody(Antibody.MDA5),),
        extra_measures=(flag(Measure.ILD_PROGRESSION, True, ago(1)),),
    )
    found = order_codes(facts, draft(Agent.CYCLOPHOSPHAMIDE))
    assert all(
        "before any second-line" not in f.reason
        for f in evaluate_orders(facts, [draft(Agent.CYCLOPHOSPHAMIDE)], Thresholds(), TODAY)
    )
    assert (FindingCode.ORDER_ESCALATION_NOT_SUPPORTED, "MedicationRequest/d1") not in found


def test_first_line_builder_is_what_the_checks_see() -> None:
    # guards the fixtures above: the active first-line agents are prednisone and methotrexate
    agents = {m.agent for m in first_line(16)}
    assert agents == {Agent.PREDNISONE, Agent.METHOTREXATE}


def test_subtype_preferred_third_line_agent_is_not_called_out_of_order() -> None:
    # §2.4: offer rituximab early in anti-SRP IMNM, even before any second-line trial.
    facts = refractory_active_dm(
        diagnoses=(diagnosis(Diagnosis.POLYMYOSITIS),), extra_antibodies=(antibody(Antibody.SRP),)
    )
    (finding,) = evaluate_orders(facts, [draft(Agent.RITUXIMAB)], Thresholds(), TODAY)
    assert finding.code is FindingCode.ORDER_LINE_GUIDANCE
    assert "SRP" in finding.reason
    assert "line 2 first" not in finding.reason


def test_cyclophosphamide_in_anti_mda5_ild_shows_the_subtype_evidence() -> None:
    facts = refractory_active_dm(
        diagnoses=(diagnosis(), diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE)),
        extra_antibodies=(antibody(Antibody.MDA5),),
    )
    findings = evaluate_orders(facts, [draft(Agent.CYCLOPHOSPHAMIDE)], Thresholds(), TODAY)
    guidance = [f for f in findings if f.code is FindingCode.ORDER_LINE_GUIDANCE]
    assert len(guidance) == 1 and "MDA5" in guidance[0].reason


def test_recommended_mycophenolate_replaces_methotrexate_on_the_card() -> None:
    card = next(
        f for f in findings(refractory_active_dm()) if f.code is FindingCode.ESCALATE_SECOND_LINE
    )
    mmf = next(o for o in card.options if o.agent is Agent.MYCOPHENOLATE)
    assert mmf.recommended and "replaces methotrexate" in mmf.rationale
    assert all("replaces" not in o.rationale for o in card.options if o is not mmf)


def test_ordering_the_recommended_switch_from_methotrexate_asks_to_stop_methotrexate() -> None:
    # Refractory to GC + MTX: MMF replaces MTX (same class). The duplicate card says so and its
    # suggestion stops the methotrexate order, carrying out the escalation card's "replaces
    # methotrexate" (docs: "order-duplicate-immunosuppressant").
    facts = refractory_active_dm()
    (finding,) = evaluate_orders(facts, [draft(Agent.MYCOPHENOLATE)], Thresholds(), TODAY)
    methotrexate = next(m for m in facts.medications if m.agent is Agent.METHOTREXATE)
    assert finding.code is FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT
    assert "mycophenolate replaces methotrexate" in finding.reason
    assert "stop the methotrexate order" in finding.reason
    assert finding.stops_existing_orders
    assert finding.stop_references == (methotrexate.source.reference,)


def test_the_same_agent_again_removes_the_draft_not_the_old_order() -> None:
    facts = refractory_active_dm(extra_medications=(med(Agent.TACROLIMUS, ago(20)),))
    (finding,) = evaluate_orders(facts, [draft(Agent.TACROLIMUS)], Thresholds(), TODAY)
    assert not finding.stops_existing_orders
    assert finding.stop_references == ("MedicationRequest/d1",)


def test_mycophenolate_on_methotrexate_before_refractoriness_is_a_duplicate() -> None:
    facts = refractory_active_dm(weeks_on_first_line=6)
    assert (FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT, "MedicationRequest/d1") in order_codes(
        facts, draft(Agent.MYCOPHENOLATE)
    )


def test_mycophenolate_on_mycophenolate_is_a_duplicate_even_when_refractory() -> None:
    facts = refractory_active_dm(extra_medications=(med(Agent.MYCOPHENOLATE, ago(20)),))
    assert (FindingCode.ORDER_DUPLICATE_IMMUNOSUPPRESSANT, "MedicationRequest/d1") in order_codes(
        facts, draft(Agent.MYCOPHENOLATE, "d1")
    )


def test_a_lung_directed_escalation_kept_next_to_a_mimic_is_supported_as_ordered() -> None:
    # Anti-synthetase ILD active, muscle quiet, hypothyroidism coded (no current TSH): the card
    # recommends tacrolimus for the lung; ordering it is not "escalation not supported".
    facts = lung_active_muscle_quiet_with_hypothyroidism()
    found = {c for c, _ in order_codes(facts, draft(Agent.TACROLIMUS))}
    assert FindingCode.ORDER_ESCALATION_NOT_SUPPORTED not in found


def test_an_urgent_ild_agent_is_not_called_unsupported_next_to_a_muscle_mimic() -> None:
    # Rapidly progressive ILD (ILD of 4 weeks, progressing) with coded hypothyroidism: the
    # lung-driven escalate-second-line is not shown beside urgent-escalation, and ordering the
    # urgent card's agent is still supported (the mimic does not explain the lung).
    facts = lung_active_muscle_quiet_with_hypothyroidism()
    diagnoses = tuple(
        d for d in facts.diagnoses if d.diagnosis is not Diagnosis.INTERSTITIAL_LUNG_DISEASE
    )
    facts = replace(
        facts,
        diagnoses=(*diagnoses, diagnosis(Diagnosis.INTERSTITIAL_LUNG_DISEASE, onset=ago(4))),
    )
    assert FindingCode.URGENT_ESCALATION in {f.code for f in findings(facts)}
    codes = {c for c, _ in order_codes(facts, draft(Agent.TACROLIMUS))}
    assert FindingCode.ORDER_ESCALATION_NOT_SUPPORTED not in codes
