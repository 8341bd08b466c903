"""Inclusion body myositis at order time (docs/clinical-logic.md, "order-escalation-not-supported"
and "order-line-guidance"): whether IBM holds for the patient, and whether IVIG is being ordered
for IBM dysphagia, the one escalation agent IBM may be given."""

from __future__ import annotations

from cds_service.engine.concepts import Agent, Diagnosis
from cds_service.engine.evidence import diagnosis_evidence
from cds_service.engine.findings import Evidence, FindingCode
from cds_service.engine.order_checks.subject import DraftAssessment


def coded_ibm(subject: DraftAssessment) -> tuple[Evidence, ...]:
    """Active IBM Conditions (ICD-10-CM G72.41, SNOMED CT 72315009): IBM holds by itself."""
    return tuple(
        diagnosis_evidence(d)
        for d in subject.context.assessment.facts.diagnoses
        if d.diagnosis is Diagnosis.INCLUSION_BODY_MYOSITIS and d.active
    )


def ibm_holds(subject: DraftAssessment) -> bool:
    suspected = any(f.code is FindingCode.SUSPECT_IBM for f in subject.context.patient_findings)
    return suspected or bool(coded_ibm(subject))


def dysphagia(subject: DraftAssessment) -> tuple[Evidence, ...]:
    """Active dysphagia Conditions (ICD-10-CM R13.1, R13.10-R13.19)."""
    return tuple(
        diagnosis_evidence(d)
        for d in subject.context.assessment.facts.diagnoses
        if d.diagnosis is Diagnosis.DYSPHAGIA and d.active
    )


def ivig_for_ibm_dysphagia(subject: DraftAssessment) -> bool:
    """A draft IVIG for a patient with IBM and an active dysphagia Condition."""
    return subject.order.agent is Agent.IVIG and ibm_holds(subject) and bool(dysphagia(subject))
