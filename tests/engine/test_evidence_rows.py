"""How evidence rows read: each fact once, values not repeated, spans citing their orders
(docs/clinical-logic.md, "How evidence is shown")."""

from __future__ import annotations

from dataclasses import replace

from cds_service.engine import evaluate_orders
from cds_service.engine.concepts import Agent, Analyte, Diagnosis
from cds_service.engine.evidence import lab_evidence
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity
from cds_service.engine.order_checks.draft_order import DraftOrder
from cds_service.engine.therapy import LINE_OF_AGENT
from cds_service.engine.thresholds import Thresholds
from tests.engine.builders import (
    CLASS_OF_AGENT,
    TODAY,
    ago,
    diagnosis,
    lab,
    med,
    only,
    refractory_active_dm,
)


def test_a_coded_ibm_diagnosis_is_shown_once_on_suspect_ibm() -> None:
    ibm = diagnosis(Diagnosis.INCLUSION_BODY_MYOSITIS, onset=ago(80))
    facts = refractory_active_dm(age=66, diagnoses=(ibm,))
    finding = only(facts, FindingCode.SUSPECT_IBM)
    cited = [e.reference for e in finding.evidence]
    assert cited.count(ibm.source.reference) == 1
    assert len(set(finding.evidence)) == len(finding.evidence)


def test_a_coded_ibm_diagnosis_is_shown_once_on_the_order_warning() -> None:
    ibm = diagnosis(Diagnosis.INCLUSION_BODY_MYOSITIS, onset=ago(80))
    facts = refractory_active_dm(age=66, diagnoses=(ibm,))
    draft = DraftOrder(
        reference="MedicationRequest/d-rtx",
        selected=True,
        agent=Agent.RITUXIMAB,
        drug_class=CLASS_OF_AGENT[Agent.RITUXIMAB],
        line=LINE_OF_AGENT[Agent.RITUXIMAB],
        display="rituximab",
    )
    (finding,) = [
        f
        for f in evaluate_orders(facts, [draft], Thresholds(), TODAY)
        if f.code is FindingCode.ORDER_ESCALATION_NOT_SUPPORTED
    ]
    assert [e.reference for e in finding.evidence].count(ibm.source.reference) == 1


def test_a_finding_keeps_each_row_once_in_first_seen_order() -> None:
    row = Evidence(label="CK", value="800 U/L", reference="Observation/ck")
    other = Evidence(label="Age", value="66 years", reference="Patient/p")
    finding = Finding(
        code=FindingCode.SUSPECT_IBM,
        severity=Severity.WARNING,
        rule_id="r",
        rule_version="1",
        reason="r",
        evidence=(row, other, row),
        reference_section="suspect-ibm",
    )
    assert finding.evidence == (row, other)
    # Two different facts from one resource are two rows (a span and its order, say).
    same_source = replace(other, label="Time on prednisone", value="16 weeks")
    assert len(replace(finding, evidence=(other, same_source)).evidence) == 2


def test_a_lab_value_is_not_repeated_as_reported() -> None:
    # TSH reported 12 m[IU]/L (UCUM) is shown as 12 mIU/L: the "reported" text added nothing.
    result = replace(lab(Analyte.TSH, 12.0, 4.0, ago(2)), unit="mIU/L", reported_as="12 m[IU]/L")
    assert lab_evidence(result).value == "12 mIU/L (3.0x ULN)"


def test_a_converted_or_qualified_lab_value_still_shows_as_reported() -> None:
    converted = replace(lab(Analyte.CK, 3.34, 3.34, ago(2)), unit="ukat/L", reported_as="200 U/L")
    assert lab_evidence(converted).value.endswith("; reported 200 U/L")
    below = replace(lab(Analyte.TSH, 0.1, 4.0, ago(2)), unit="mIU/L", reported_as="<0.1 mIU/L")
    assert "reported <0.1 mIU/L" in lab_evidence(below).value


def test_the_first_line_span_cites_the_orders_it_is_dated_from() -> None:
    # Prednisone and MTX started together 37 weeks ago, AZA added 28 weeks ago: the span of
    # GC + MTX/AZA starts with prednisone and MTX, so it cites those, not the AZA order.
    prednisone = med(Agent.PREDNISONE, ago(37), dose=20)
    mtx = med(Agent.METHOTREXATE, ago(37))
    aza = med(Agent.AZATHIOPRINE, ago(28))
    facts = replace(refractory_active_dm(), medications=(prednisone, mtx, aza))
    finding = only(facts, FindingCode.ESCALATE_THIRD_LINE)
    (span,) = [e for e in finding.evidence if e.label == "Time on GC + MTX/AZA"]
    assert span.when == ago(37)
    assert set(span.references) == {prednisone.source.reference, mtx.source.reference}


def test_the_mtx_plus_aza_span_is_dated_from_their_overlap() -> None:
    prednisone = med(Agent.PREDNISONE, ago(37), dose=20)
    mtx = med(Agent.METHOTREXATE, ago(37))
    aza = med(Agent.AZATHIOPRINE, ago(28))
    facts = replace(refractory_active_dm(), medications=(prednisone, mtx, aza))
    finding = only(facts, FindingCode.ESCALATE_THIRD_LINE)
    (span,) = [e for e in finding.evidence if e.label == "Time on methotrexate + azathioprine"]
    assert span.when == ago(28)
    assert span.references == (aza.source.reference,)
