from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cds_service.engine.concepts import Analyte, Measure
from cds_service.engine.facts import LabResult, SourceRef
from cds_service.fhir.extract import extract_facts
from cds_service.terminology import Terminology

from . import builders as b

TODAY = date(2024, 6, 1)


def _only_lab(terminology: Terminology, *resources: dict[str, object]) -> LabResult:
    facts = extract_facts([b.patient(), *resources], terminology, TODAY)
    assert facts.issues == ()
    assert len(facts.labs) == 1
    return facts.labs[0]


def _comparable(result: LabResult) -> LabResult:
    return replace(result, source=SourceRef("x", result.source.display), reported_as="")


@pytest.mark.parametrize("unit", ["ukat/L", "µkat/L", "μkat/L", "ukat/l"])
def test_ck_in_ukat_equals_ck_in_u_per_l(terminology: Terminology, unit: str) -> None:
    in_u = _only_lab(terminology, b.lab("a", "2157-6", 210, "U/L", high=180))
    in_ukat = _only_lab(terminology, b.lab("b", "2157-6", 3.5, unit, high=3.0))
    assert in_u.value == 210
    assert _comparable(in_ukat) == _comparable(in_u)
    assert in_ukat.source == SourceRef("Observation/b", "CK")


def test_ldh_codes_give_identical_facts(terminology: Terminology) -> None:
    first = _only_lab(terminology, b.lab("a", "2532-0", 300, "U/L", high=250))
    for code in ("14804-9", "14805-6"):
        other = _only_lab(terminology, b.lab("b", code, 300, "U/L", high=250))
        assert _comparable(other) == _comparable(first)
        assert other.analyte is Analyte.LDH


@pytest.mark.parametrize(
    ("code", "analyte", "unit"),
    [
        ("1761-6", Analyte.ALDOLASE, "U/L"),
        ("1920-8", Analyte.AST, "U/L"),
        ("1742-6", Analyte.ALT, "U/L"),
        ("2639-3", Analyte.MYOGLOBIN, "ng/mL"),
        ("2276-4", Analyte.FERRITIN, "ng/mL"),
        ("3024-7", Analyte.FREE_T4, "ng/dL"),
    ],
)
def test_each_lab_row_family(
    terminology: Terminology, code: str, analyte: Analyte, unit: str
) -> None:
    result = _only_lab(terminology, b.lab("a", code, 12, unit, high=20))
    assert (result.analyte, result.value, result.unit, result.reference_high) == (
        analyte,
        12,
        unit,
        20,
    )
    assert result.range_from_result


@pytest.mark.parametrize("unit", ["m[IU]/L", "mIU/L", "uIU/mL"])
def test_tsh_units_are_equivalent(terminology: Terminology, unit: str) -> None:
    result = _only_lab(terminology, b.lab("t", "3016-3", 7.5, unit, high=4.5))
    assert (result.analyte, result.value, result.unit) == (Analyte.TSH, 7.5, "mIU/L")


def test_ck_fallback_range_by_sex_and_age(terminology: Terminology) -> None:
    result = _only_lab(terminology, b.lab("a", "2157-6", 250, "U/L"))
    assert (result.reference_low, result.reference_high) == (38.0, 176.0)
    assert result.range_from_result is False
    facts = extract_facts(
        [b.patient("male", "2010-01-01"), b.lab("a", "2157-6", 250, "U/L")], terminology, TODAY
    )
    assert facts.labs[0].reference_high == 499.0


def test_ck_without_range_and_unknown_sex_has_no_range(terminology: Terminology) -> None:
    facts = extract_facts([b.lab("a", "2157-6", 250, "U/L")], terminology, TODAY)
    assert facts.labs[0].reference_high is None


def test_unknown_unit_is_a_data_issue(terminology: Terminology) -> None:
    facts = extract_facts([b.lab("a", "2157-6", 250, "mg/dL")], terminology, TODAY)
    assert facts.labs == ()
    assert [(i.reference, i.problem) for i in facts.issues] == [
        ("Observation/a", "CK: unit missing or not recognised")
    ]


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_ignored_statuses_leave_no_trace(terminology: Terminology, status: str) -> None:
    facts = extract_facts([b.lab("a", "2157-6", 250, "U/L", status=status)], terminology, TODAY)
    assert facts.labs == () and facts.issues == ()


@pytest.mark.parametrize(
    ("effective", "expected"),
    [
        ({"effectiveDateTime": "2024"}, date(2024, 1, 1)),
        ({"effectiveDateTime": "2024-03"}, date(2024, 3, 1)),
        ({"effectiveDateTime": "2024-03-05T23:30:00+02:00"}, date(2024, 3, 5)),
        ({"effectivePeriod": {"start": "2024-02-10T08:00:00Z"}}, date(2024, 2, 10)),
    ],
)
def test_partial_dates_and_periods(
    terminology: Terminology, effective: dict[str, object], expected: date
) -> None:
    resource = b.lab("a", "2157-6", 250, "U/L")
    del resource["effectiveDateTime"]
    resource.update(effective)
    assert _only_lab(terminology, resource).effective == expected


def test_fvc_loinc_and_project_code_give_lab_and_measure(terminology: Terminology) -> None:
    by_loinc = extract_facts([b.lab("f", "19870-5", 62, "%")], terminology, TODAY)
    by_measure = extract_facts(
        [b.lab("f", "fvc-percent-predicted", 62, "%", system=b.MEASURES)], terminology, TODAY
    )
    for facts in (by_loinc, by_measure):
        assert [m.number for m in facts.measure_series(Measure.FVC_PERCENT_PREDICTED)] == [62]
        assert [r.value for r in facts.lab_series(Analyte.FVC_PERCENT_PREDICTED)] == [62]


def test_irrelevant_observation_is_ignored(terminology: Terminology) -> None:
    facts = extract_facts([b.lab("g", "2345-7", 5.0, "mmol/L")], terminology, TODAY)
    assert facts.labs == () and facts.issues == ()


_GENDER = "http://hl7.org/fhir/administrative-gender"
_V3_GENDER = "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender"


def _range(
    high: float,
    *,
    sex: tuple[str, str] | None = None,
    age: tuple[float, float | None] | None = None,
) -> dict[str, object]:
    entry: dict[str, object] = {"high": {"value": high, "unit": "U/L", "system": b.UCUM}}
    if sex is not None:
        entry["appliesTo"] = [{"coding": [{"system": sex[0], "code": sex[1]}]}]
    if age is not None:
        years: dict[str, object] = {"low": {"value": age[0], "unit": "a"}}
        if age[1] is not None:
            years["high"] = {"value": age[1], "unit": "a"}
        entry["age"] = years
    return entry


def _ck_with_ranges(*ranges: dict[str, object], code: str = "2157-6") -> dict[str, object]:
    resource = b.lab("ck", code, 300, "U/L")
    resource["referenceRange"] = list(ranges)
    return resource


@pytest.mark.parametrize(
    ("gender", "birth", "high"),
    [
        ("female", "1970-06-15", 176.0),
        ("male", "1970-06-15", 336.0),
        ("female", "2008-01-01", 269.0),  # 16 on the result date
    ],
)
def test_reference_range_matching_sex_and_age_is_chosen(
    terminology: Terminology, gender: str, birth: str, high: float
) -> None:
    resource = _ck_with_ranges(
        _range(336, sex=(_GENDER, "male")),
        _range(269, sex=(_V3_GENDER, "F"), age=(15, 17)),
        _range(176, sex=(_GENDER, "female"), age=(18, None)),
    )
    facts = extract_facts([b.patient(gender, birth), resource], terminology, TODAY)
    assert facts.issues == ()
    (result,) = facts.labs
    assert (result.reference_high, result.range_from_result) == (high, True)


def test_generic_reference_range_when_no_specific_one_matches(terminology: Terminology) -> None:
    resource = _ck_with_ranges(_range(336, sex=(_GENDER, "male")), _range(250))
    result = _only_lab(terminology, resource)
    assert (result.reference_high, result.range_from_result) == (250.0, True)


def test_ambiguous_ck_ranges_without_a_table_interval_take_the_first(
    terminology: Terminology,
) -> None:
    resource = _ck_with_ranges(
        _range(336, sex=(_GENDER, "male")), _range(176, sex=(_GENDER, "female"))
    )
    facts = extract_facts([b.patient("other"), resource], terminology, TODAY)
    (result,) = facts.labs
    # sex "other": the fallback table has no interval either, so the result's first range stands.
    assert (result.reference_high, result.range_from_result) == (336.0, True)
    assert [i.problem for i in facts.issues] == ["CK: ambiguous reference range"]

    female_unknown_age = extract_facts(
        [
            b.patient("female", ""),
            _ck_with_ranges(_range(300, age=(0, 17)), _range(200, age=(18, 99))),
        ],
        terminology,
        TODAY,
    )
    (result,) = female_unknown_age.labs
    assert result.reference_high == 300.0


def test_ambiguous_ck_ranges_with_known_sex_and_age_take_the_table(
    terminology: Terminology,
) -> None:
    resource = _ck_with_ranges(
        _range(250, sex=(_GENDER, "female"), age=(18, None)),
        _range(190, sex=(_GENDER, "female"), age=(18, None)),
    )
    facts = extract_facts([b.patient(), resource], terminology, TODAY)
    (result,) = facts.labs
    assert (result.reference_low, result.reference_high) == (38.0, 176.0)
    assert result.range_from_result is False
    assert [i.problem for i in facts.issues] == ["CK: ambiguous reference range"]


def test_ambiguous_ranges_of_other_analytes_take_the_first_and_say_so(
    terminology: Terminology,
) -> None:
    resource = _ck_with_ranges(
        _range(250, sex=(_GENDER, "female")), _range(190, sex=(_GENDER, "female")), code="2532-0"
    )
    facts = extract_facts([b.patient(), resource], terminology, TODAY)
    (result,) = facts.labs
    assert (result.reference_high, result.range_from_result) == (250.0, True)
    assert [i.problem for i in facts.issues] == ["LDH: ambiguous reference range"]
