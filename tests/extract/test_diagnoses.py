from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cds_service.engine.concepts import Diagnosis
from cds_service.engine.facts import SourceRef
from cds_service.fhir.extract import extract_facts
from cds_service.terminology import Terminology

from . import builders as b

TODAY = date(2024, 6, 1)


def test_icd10cm_only_and_snomed_only_give_identical_facts(terminology: Terminology) -> None:
    (by_icd,) = extract_facts(
        [b.condition("c", [(b.ICD10CM, "M33.20")])], terminology, TODAY
    ).diagnoses
    (by_snomed,) = extract_facts(
        [b.condition("c", [(b.SNOMED, "31384009")])], terminology, TODAY
    ).diagnoses
    assert replace(by_icd, code_display="") == replace(by_snomed, code_display="")
    assert by_icd.diagnosis is Diagnosis.POLYMYOSITIS
    assert by_icd.source == SourceRef("Condition/c", "Polymyositis")
    assert by_icd.onset == date(2023, 1, 1)


@pytest.mark.parametrize("code", ["M33.10", "M3310", "m33.10"])
def test_icd10cm_with_or_without_dot(terminology: Terminology, code: str) -> None:
    facts = extract_facts([b.condition("c", [(b.ICD10CM, code)])], terminology, TODAY)
    assert [d.diagnosis for d in facts.diagnoses] == [Diagnosis.DERMATOMYOSITIS]


@pytest.mark.parametrize(
    ("clinical", "active"),
    [
        ("active", True),
        ("recurrence", True),
        ("relapse", True),
        ("inactive", False),
        ("remission", False),
        ("resolved", False),
        (None, True),
    ],
)
def test_clinical_status(terminology: Terminology, clinical: str | None, active: bool) -> None:
    resource = b.condition("c", [(b.ICD10CM, "G72.41")], clinical=clinical)
    (fact,) = extract_facts([resource], terminology, TODAY).diagnoses
    assert fact.active is active


@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
@pytest.mark.parametrize("clinical", ["active", "resolved", None])
def test_refuted_or_entered_in_error_leaves_no_trace(
    terminology: Terminology, verification: str, clinical: str | None
) -> None:
    resource = b.condition(
        "c", [(b.ICD10CM, "M33.10")], clinical=clinical, verification=verification
    )
    facts = extract_facts([resource], terminology, TODAY)
    assert facts.diagnoses == () and facts.issues == ()


@pytest.mark.parametrize(
    ("system", "code", "diagnosis"),
    [
        (b.SNOMED, "396230008", Diagnosis.DERMATOMYOSITIS),
        (b.ICD10CM, "M33.01", Diagnosis.JUVENILE_DERMATOMYOSITIS),
        (b.ICD10CM, "M33.93", Diagnosis.INFLAMMATORY_MYOPATHY_OTHER),
        (b.ICD10CM, "G72.49", Diagnosis.INFLAMMATORY_MYOPATHY_OTHER),
        (b.ICD10CM, "M36.0", Diagnosis.DERMATOMYOSITIS_NEOPLASTIC),
        (b.SNOMED, "72315009", Diagnosis.INCLUSION_BODY_MYOSITIS),
        (b.ICD10CM, "J84.10", Diagnosis.INTERSTITIAL_LUNG_DISEASE),
        (b.SNOMED, "233703007", Diagnosis.INTERSTITIAL_LUNG_DISEASE),
        (b.SNOMED, "40930008", Diagnosis.HYPOTHYROIDISM),
        (b.ICD10CM, "E03.9", Diagnosis.HYPOTHYROIDISM),
        (b.ICD10CM, "G71.01", Diagnosis.MUSCULAR_DYSTROPHY),
        (b.ICD10CM, "G72.0", Diagnosis.DRUG_INDUCED_MYOPATHY),
    ],
)
def test_each_diagnosis_row_family(
    terminology: Terminology, system: str, code: str, diagnosis: Diagnosis
) -> None:
    facts = extract_facts([b.condition("c", [(system, code)])], terminology, TODAY)
    assert [d.diagnosis for d in facts.diagnoses] == [diagnosis]


def test_onset_period(terminology: Terminology) -> None:
    resource = b.condition("c", [(b.ICD10CM, "M33.10")], onset=None)
    resource["onsetPeriod"] = {"start": "2022-05"}
    (fact,) = extract_facts([resource], terminology, TODAY).diagnoses
    assert fact.onset == date(2022, 5, 1)
