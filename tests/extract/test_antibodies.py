from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cds_service.engine.concepts import Antibody, AntibodyStatus
from cds_service.fhir.extract import extract_facts
from cds_service.terminology import Terminology

from . import builders as b

TODAY = date(2024, 6, 1)
V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def _status(terminology: Terminology, **value: Any) -> AntibodyStatus | None:
    facts = extract_facts([b.antibody("ab", "5234-0", **value)], terminology, TODAY)
    return facts.antibodies[0].status if facts.antibodies else None


def _interp(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": V3, "code": code}]}]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"interpretation": _interp("POS")}, AntibodyStatus.POSITIVE),
        ({"interpretation": _interp("H")}, AntibodyStatus.POSITIVE),
        ({"interpretation": _interp("A")}, AntibodyStatus.POSITIVE),
        ({"interpretation": _interp("HH")}, AntibodyStatus.POSITIVE),
        ({"interpretation": [{"text": "positive"}]}, AntibodyStatus.POSITIVE),
        ({"interpretation": _interp("NEG")}, AntibodyStatus.NEGATIVE),
        ({"interpretation": _interp("N")}, AntibodyStatus.NEGATIVE),
        ({"interpretation": _interp("IND")}, AntibodyStatus.INDETERMINATE),
        ({"interpretation": _interp("E")}, AntibodyStatus.INDETERMINATE),
        ({"valueString": "Positive"}, AntibodyStatus.POSITIVE),
        ({"valueString": "Detected"}, AntibodyStatus.POSITIVE),
        ({"valueString": "+"}, AntibodyStatus.POSITIVE),
        ({"valueString": "++"}, AntibodyStatus.POSITIVE),
        ({"valueString": " +++ "}, AntibodyStatus.POSITIVE),
        ({"valueString": "Negative"}, AntibodyStatus.NEGATIVE),
        ({"valueString": "Not detected"}, AntibodyStatus.NEGATIVE),
        ({"valueString": "-"}, AntibodyStatus.NEGATIVE),
        ({"valueString": "Equivocal"}, AntibodyStatus.INDETERMINATE),
        ({"valueString": "Borderline"}, AntibodyStatus.INDETERMINATE),
        ({"valueCodeableConcept": {"text": "Indeterminate"}}, AntibodyStatus.INDETERMINATE),
        (
            {"valueCodeableConcept": {"coding": [{"system": b.SNOMED, "code": "10828004"}]}},
            AntibodyStatus.POSITIVE,
        ),
        (
            {"valueCodeableConcept": {"coding": [{"system": b.SNOMED, "code": "260385009"}]}},
            AntibodyStatus.NEGATIVE,
        ),
    ],
)
def test_status_by_interpretation_or_value(
    terminology: Terminology, value: dict[str, Any], expected: AntibodyStatus
) -> None:
    assert _status(terminology, **value) is expected


def _quantity(value: float, high: float) -> dict[str, Any]:
    return {
        "valueQuantity": {"value": value, "unit": "U"},
        "referenceRange": [{"high": {"value": high, "unit": "U"}}],
    }


def test_status_by_quantity_against_reference_high(terminology: Terminology) -> None:
    assert _status(terminology, **_quantity(25, 20)) is AntibodyStatus.POSITIVE
    assert _status(terminology, **_quantity(20, 20)) is AntibodyStatus.NEGATIVE
    assert _status(terminology, **_quantity(3, 20)) is AntibodyStatus.NEGATIVE


def test_positive_by_interpretation_text_and_quantity_are_identical(
    terminology: Terminology,
) -> None:
    variants: list[dict[str, Any]] = [
        {"interpretation": _interp("POS")},
        {"valueString": "Positive"},
        _quantity(40, 20),
    ]
    results = []
    for value in variants:
        facts = extract_facts([b.antibody("ab", "5234-0", **value)], terminology, TODAY)
        (result,) = facts.antibodies
        results.append((result.antibody, result.status, result.effective, result.source))
    assert results[0] == results[1] == results[2]


def test_single_letters_are_not_read_from_free_text(terminology: Terminology) -> None:
    facts = extract_facts([b.antibody("ab", "5234-0", valueString="N")], terminology, TODAY)
    assert [a.status for a in facts.antibodies] == [AntibodyStatus.INDETERMINATE]
    assert facts.issues[0].problem.startswith("Anti-Jo-1: result could not be read")


@pytest.mark.parametrize(
    ("system", "code", "antibody"),
    [
        (b.LOINC, "33772-5", Antibody.PL7),
        (b.LOINC, "33771-7", Antibody.PL12),
        (b.LOINC, "45149-2", Antibody.EJ),
        (b.LOINC, "45152-6", Antibody.OJ),
        (b.LOINC, "88732-3", Antibody.MI2),
        (b.LOINC, "107563-9", Antibody.MDA5),
        (b.LOINC, "107562-1", Antibody.TIF1G),
        (b.LOINC, "105528-4", Antibody.NXP2),
        (b.LOINC, "33921-8", Antibody.SRP),
        (b.LOINC, "53016-2", Antibody.RO52),
        (b.LOINC, "105554-0", Antibody.PM_SCL_100),
        (b.LOINC, "18484-6", Antibody.KU),
        (b.LOINC, "8091-1", Antibody.U1RNP),
        (b.LOINC, "8061-4", Antibody.ANA),
        (b.ANTIBODIES, "hmgcr", Antibody.HMGCR),
        (b.ANTIBODIES, "cn1a", Antibody.CN1A),
        (b.ANTIBODIES, "sae", Antibody.SAE),
        (b.ANTIBODIES, "pm-scl-75", Antibody.PM_SCL_75),
    ],
)
def test_each_antibody_row_family(
    terminology: Terminology, system: str, code: str, antibody: Antibody
) -> None:
    resource = b.antibody("ab", code, system=system, valueString="Negative")
    (result,) = extract_facts([resource], terminology, TODAY).antibodies
    assert (result.antibody, result.status) == (antibody, AntibodyStatus.NEGATIVE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Weakly positive", AntibodyStatus.POSITIVE),
        ("Positive (1:160)", AntibodyStatus.POSITIVE),
        ("Low positive", AntibodyStatus.POSITIVE),
        ("Strong positive", AntibodyStatus.POSITIVE),
        ("POSITIVE 1:320", AntibodyStatus.POSITIVE),
        ("Detected (high)", AntibodyStatus.POSITIVE),
        ("Not positive", AntibodyStatus.NEGATIVE),
        ("No antibody detected", AntibodyStatus.NEGATIVE),
        ("Non-reactive", AntibodyStatus.NEGATIVE),
        ("Negative (<1:40)", AntibodyStatus.NEGATIVE),
        ("NOT DETECTED.", AntibodyStatus.NEGATIVE),
        ("Borderline positive", AntibodyStatus.INDETERMINATE),
    ],
)
def test_common_result_wordings(
    terminology: Terminology, text: str, expected: AntibodyStatus
) -> None:
    assert _status(terminology, valueString=text) is expected
    assert _status(terminology, valueCodeableConcept={"text": text}) is expected


def test_unreadable_newer_result_is_indeterminate_not_skipped(terminology: Terminology) -> None:
    older = b.antibody("old", "5234-0", valueString="Negative")
    newer = b.antibody("new", "5234-0", valueString="see report")
    newer["effectiveDateTime"] = "2024-05-01"
    facts = extract_facts([older, newer], terminology, TODAY)
    latest = facts.antibody_results(Antibody.JO1)[-1]
    assert (latest.source.reference, latest.status) == (
        "Observation/new",
        AntibodyStatus.INDETERMINATE,
    )
    assert [(i.reference, i.problem) for i in facts.issues] == [
        ("Observation/new", "Anti-Jo-1: result could not be read as positive or negative")
    ]


@pytest.mark.parametrize(
    "absent",
    [{"status": "registered"}, {"dataAbsentReason": {"text": "Sample haemolysed"}}],
)
def test_a_result_not_given_is_no_result(terminology: Terminology, absent: dict[str, Any]) -> None:
    facts = extract_facts([b.antibody("ab", "5234-0", **absent)], terminology, TODAY)
    assert facts.antibodies == ()
    assert [i.problem for i in facts.issues] == [
        "Anti-Jo-1: result could not be read as positive or negative"
    ]
