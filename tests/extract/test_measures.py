from __future__ import annotations

from datetime import date

import pytest

from cds_service.engine.concepts import FattyReplacement, Measure
from cds_service.fhir.extract import extract_facts
from cds_service.terminology import Terminology

from . import builders as b

TODAY = date(2024, 6, 1)


def test_scores_are_numbers(terminology: Terminology) -> None:
    resource = b.measure("m", "mmt8-80", valueQuantity={"value": 64, "unit": "{score}"})
    (result,) = extract_facts([resource], terminology, TODAY).measures
    assert (result.measure, result.number, result.unit) == (Measure.MMT8_80, 64, "{score}")


@pytest.mark.parametrize(
    "code",
    [
        m.value
        for m in Measure
        if m.value.startswith(("biopsy", "gottron", "heliotrope", "proximal"))
    ]
    + ["mri-muscle-edema", "dysphagia"],
)
def test_flags_are_booleans(terminology: Terminology, code: str) -> None:
    resource = b.measure("m", code, valueBoolean=True, bodySite={"text": "thigh"})
    (result,) = extract_facts([resource], terminology, TODAY).measures
    assert (result.measure, result.flag) == (Measure(code), True)


@pytest.mark.parametrize("grade", list(FattyReplacement))
def test_fatty_replacement_grade(terminology: Terminology, grade: FattyReplacement) -> None:
    value = {"coding": [{"system": b.MEASURES, "code": grade.value}]}
    resource = b.measure("m", "mri-fatty-replacement", valueCodeableConcept=value)
    (result,) = extract_facts([resource], terminology, TODAY).measures
    assert result.grade is grade


def test_wrong_value_type_is_a_data_issue(terminology: Terminology) -> None:
    resource = b.measure("m", "dysphagia", valueString="yes")
    facts = extract_facts([resource], terminology, TODAY)
    assert facts.measures == ()
    assert facts.issues[0].problem == "Dysphagia: value missing or of the wrong type"


def test_invalid_fhir_becomes_a_data_issue_without_values(terminology: Terminology) -> None:
    resource = b.lab("bad", "2157-6", 250, "U/L")
    resource["subject"] = "Patient/p1"  # a string where a Reference object belongs
    facts = extract_facts([resource], terminology, TODAY)
    assert facts.labs == ()
    (issue,) = facts.issues
    assert issue.reference == "Observation/bad"
    assert "250" not in issue.problem
