from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from cds_service.engine.concepts import Agent, DrugClass
from cds_service.engine.facts import MedicationExposure, SourceRef
from cds_service.fhir.extract import extract_facts
from cds_service.terminology import Terminology

from . import builders as b

TODAY = date(2024, 6, 1)


def _one(terminology: Terminology, resource: Mapping[str, Any]) -> MedicationExposure:
    facts = extract_facts([resource], terminology, TODAY)
    assert facts.issues == ()
    (exposure,) = facts.medications
    return exposure


def test_request_and_statement_give_identical_facts(terminology: Terminology) -> None:
    concept = b.medication_concept(code="6851")
    request = _one(terminology, b.medication_request("m", concept, mg=15, end="2024-12-31"))
    statement = _one(terminology, b.medication_statement("m", concept, mg=15, end="2024-12-31"))
    neutral = SourceRef("x", "Methotrexate")
    assert replace(request, source=neutral, resource_type="") == replace(
        statement, source=neutral, resource_type=""
    )
    assert (request.agent, request.drug_class, request.line) == (
        Agent.METHOTREXATE,
        DrugClass.ANTIMETABOLITE,
        1,
    )
    assert (request.start, request.end, request.active) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
        True,
    )


@pytest.mark.parametrize(
    ("concept", "agent"),
    [
        (b.medication_concept(code="42316"), Agent.TACROLIMUS),
        (b.medication_concept(code="616435"), Agent.MYCOPHENOLATE),
        (b.medication_concept(code="1657866"), Agent.RITUXIMAB),
        (b.medication_concept(text="IVIG 2 g/kg"), Agent.IVIG),
        (b.medication_concept(display="Immune Globulin (Human) 10%"), Agent.IVIG),
        (b.medication_concept(text="tofacitinib 5 MG Oral Tablet"), Agent.TOFACITINIB),
        (b.medication_concept(text="Baricitinib"), Agent.BARICITINIB),
        (b.medication_concept(code="999999", text="CellCept 500mg"), Agent.MYCOPHENOLATE),
        (b.medication_concept(text="ciclosporin"), Agent.CICLOSPORIN),
        (b.medication_concept(code="614391"), Agent.ABATACEPT),
        (b.medication_concept(code="3002"), Agent.CYCLOPHOSPHAMIDE),
        (b.medication_concept(code="5521"), Agent.HYDROXYCHLOROQUINE),
        (b.medication_concept(code="36567"), Agent.SIMVASTATIN),
        (b.medication_concept(text="Lovastatin 20 mg"), Agent.LOVASTATIN),
    ],
)
def test_recognised_by_code_product_or_name(
    terminology: Terminology, concept: dict[str, object], agent: Agent
) -> None:
    assert _one(terminology, b.medication_statement("m", concept)).agent is agent


@pytest.mark.parametrize(
    ("code", "mg", "expected"),
    [("8640", 20, 20.0), ("8638", 20, 20.0), ("6902", 16, 20.0)],
)
def test_glucocorticoid_dose_in_prednisone_equivalents(
    terminology: Terminology, code: str, mg: float, expected: float
) -> None:
    exposure = _one(terminology, b.medication_request("g", b.medication_concept(code=code), mg=mg))
    assert exposure.drug_class is DrugClass.GLUCOCORTICOID
    assert exposure.daily_dose_mg == expected


def test_twice_daily_prednisone_sums_per_day(terminology: Terminology) -> None:
    resource = b.medication_request("p", b.medication_concept(code="8640"))
    resource["dosageInstruction"] = [b.dosage(10, per_day=2)]
    exposure = _one(terminology, resource)
    assert (exposure.daily_dose_mg, exposure.dose_as_ordered) == (20.0, "10 mg twice daily")


def test_non_glucocorticoid_keeps_its_dose_as_ordered_and_no_daily_figure(
    terminology: Terminology,
) -> None:
    resource = b.medication_request("t", b.medication_concept(code="42316"))
    resource["dosageInstruction"] = [b.dosage(2, per_day=2)]
    exposure = _one(terminology, resource)
    assert (exposure.daily_dose_mg, exposure.dose_as_ordered) == (None, "2 mg twice daily")


GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"


def _timed(value: float, unit: str, repeat: dict[str, object]) -> dict[str, object]:
    return {
        "timing": {"repeat": repeat},
        "doseAndRate": [{"doseQuantity": {"value": value, "unit": unit}}],
    }


@pytest.mark.parametrize(
    ("dosage", "shown"),
    [
        (_timed(20, "mg", {"frequency": 1, "period": 1, "periodUnit": "wk"}), "20 mg once weekly"),
        (
            _timed(1000, "mg", {"frequency": 1, "period": 2, "periodUnit": "wk"}),
            "1000 mg every 2 weeks",
        ),
        (
            _timed(2, "g/kg", {"frequency": 1, "period": 4, "periodUnit": "wk"}),
            "2 g/kg every 4 weeks",
        ),
        (_timed(5, "mg", {"frequency": 2, "period": 1, "periodUnit": "d"}), "5 mg twice daily"),
        (
            {
                "timing": {"code": {"coding": [{"system": GTS, "code": "WK"}]}},
                "doseAndRate": [{"doseQuantity": {"value": 15, "unit": "mg"}}],
            },
            "15 mg once weekly",
        ),
        ({"text": "20 mg every Friday"}, "20 mg every Friday"),
    ],
)
def test_methotrexate_dose_shown_as_ordered(
    terminology: Terminology, dosage: dict[str, object], shown: str
) -> None:
    resource = b.medication_request("m", b.medication_concept(code="6851"))
    resource["dosageInstruction"] = [dosage]
    exposure = _one(terminology, resource)
    assert exposure.dose_as_ordered == shown
    assert exposure.daily_dose_mg is None


@pytest.mark.parametrize(
    ("status", "end", "active"),
    [
        ("active", None, True),
        ("on-hold", None, True),
        ("active", "2024-05-31", False),
        ("active", "2024-06-01", True),
        ("completed", None, False),
        ("stopped", "2024-04-01", False),
    ],
)
def test_active_against_today(
    terminology: Terminology, status: str, end: str | None, active: bool
) -> None:
    resource = b.medication_statement(
        "s", b.medication_concept(code="83367"), status=status, end=end
    )
    assert _one(terminology, resource).active is active


def test_stopped_statement_ends_at_status_date(terminology: Terminology) -> None:
    resource = b.medication_statement("s", b.medication_concept(code="83367"), status="stopped")
    resource["dateAsserted"] = "2024-04-15"
    exposure = _one(terminology, resource)
    assert (exposure.active, exposure.end) == (False, date(2024, 4, 15))


def test_entered_in_error_leaves_no_trace(terminology: Terminology) -> None:
    resource = b.medication_request(
        "m", b.medication_concept(code="83367"), status="entered-in-error"
    )
    facts = extract_facts([resource], terminology, TODAY)
    assert facts.medications == () and facts.issues == ()


def test_administration(terminology: Terminology) -> None:
    resource = {
        "resourceType": "MedicationAdministration",
        "id": "a",
        "status": "completed",
        "subject": b.SUBJECT,
        "medicationCodeableConcept": b.medication_concept(text="Solu-Medrol"),
        "effectiveDateTime": "2024-05-02T09:00:00+01:00",
        "dosage": {"dose": {"value": 1, "unit": "g"}},
    }
    exposure = _one(terminology, resource)
    assert exposure.agent is Agent.METHYLPREDNISOLONE
    assert (exposure.start, exposure.end, exposure.active) == (
        date(2024, 5, 2),
        date(2024, 5, 2),
        False,
    )
    assert exposure.daily_dose_mg == 1250.0
    assert exposure.resource_type == "MedicationAdministration"


def test_medication_reference_to_contained_and_listed_medication(
    terminology: Terminology,
) -> None:
    contained = b.medication_statement("s1", {})
    del contained["medicationCodeableConcept"]
    contained["medicationReference"] = {"reference": "#med"}
    contained["contained"] = [
        {"resourceType": "Medication", "id": "med", "code": b.medication_concept(code="121191")}
    ]
    listed = b.medication_statement("s2", {})
    del listed["medicationCodeableConcept"]
    listed["medicationReference"] = {"reference": "Medication/m9"}
    medication = {"resourceType": "Medication", "id": "m9", "code": {"text": "Tacrolimus"}}
    facts = extract_facts([contained, listed, medication], terminology, TODAY)
    assert [m.agent for m in facts.medications] == [Agent.RITUXIMAB, Agent.TACROLIMUS]


def test_unknown_drug_is_ignored(terminology: Terminology) -> None:
    resource = b.medication_statement("s", b.medication_concept(code="1191", text="aspirin"))
    assert extract_facts([resource], terminology, TODAY).medications == ()


def _step(start: str, end: str | None, mg: float) -> dict[str, Any]:
    step = b.dosage(mg)
    bounds = {"start": start} if end is None else {"start": start, "end": end}
    step["timing"]["repeat"]["boundsPeriod"] = bounds
    return step


def _taper(last_end: str | None) -> dict[str, Any]:
    resource = b.medication_request("taper", b.medication_concept(code="8640"))
    resource["dosageInstruction"] = [
        _step("2024-03-01", "2024-03-31", 60),
        _step("2024-04-01", "2024-05-15", 40),
        _step("2024-05-16", last_end, 20),
    ]
    return resource


@pytest.mark.parametrize(
    ("today", "last_end", "end", "active", "dose"),
    [
        (date(2024, 6, 1), "2024-12-31", date(2024, 12, 31), True, 20.0),
        (date(2024, 4, 20), "2024-12-31", date(2024, 12, 31), True, 40.0),
        (date(2024, 6, 1), None, None, True, 20.0),
        (date(2025, 3, 1), "2024-12-31", date(2024, 12, 31), False, 20.0),
    ],
)
def test_taper_in_one_request_is_one_course_dosed_by_the_step_covering_today(
    terminology: Terminology,
    today: date,
    last_end: str | None,
    end: date | None,
    active: bool,
    dose: float,
) -> None:
    facts = extract_facts([_taper(last_end)], terminology, today)
    assert facts.issues == ()
    (exposure,) = facts.medications
    assert (exposure.start, exposure.end, exposure.active, exposure.daily_dose_mg) == (
        date(2024, 3, 1),
        end,
        active,
        dose,
    )


def test_taper_in_one_request_keeps_each_steps_dose(terminology: Terminology) -> None:
    # The steroid-myopathy rule counts the high-dose steps before today (docs/clinical-logic.md,
    # "suspect-steroid-myopathy"), so every timed step keeps its own mg/day.
    facts = extract_facts([_taper("2024-12-31")], terminology, date(2024, 6, 1))
    (exposure,) = facts.medications
    assert [(s.start, s.end, s.daily_dose_mg) for s in exposure.dose_steps] == [
        (date(2024, 3, 1), date(2024, 3, 31), 60.0),
        (date(2024, 4, 1), date(2024, 5, 15), 40.0),
        (date(2024, 5, 16), date(2024, 12, 31), 20.0),
    ]


def test_a_single_step_or_a_non_glucocorticoid_has_no_dose_steps(
    terminology: Terminology,
) -> None:
    single = b.medication_request("one", b.medication_concept(code="8640"))
    single["dosageInstruction"] = [_step("2024-03-01", None, 20)]
    mtx = b.medication_request("mtx", b.medication_concept(code="6851"))
    mtx["dosageInstruction"] = [
        _step("2024-03-01", "2024-03-31", 15),
        _step("2024-04-01", None, 20),
    ]
    facts = extract_facts([single, mtx], terminology, date(2024, 6, 1))
    assert [m.dose_steps for m in facts.medications] == [(), ()]


def test_cancelled_record_is_never_an_exposure(terminology: Terminology) -> None:
    resource = b.medication_request("m", b.medication_concept(code="7145"), status="cancelled")
    resource["meta"] = {"lastUpdated": "2025-03-01T00:00:00Z"}
    facts = extract_facts([resource], terminology, TODAY)
    assert facts.medications == () and facts.issues == ()


def test_last_updated_is_never_an_end_date(terminology: Terminology) -> None:
    resource = b.medication_request("m", b.medication_concept(code="7145"), status="stopped")
    resource["meta"] = {"lastUpdated": "2024-05-01T00:00:00Z"}
    exposure = _one(terminology, resource)
    assert (exposure.start, exposure.end, exposure.active) == (date(2024, 1, 1), None, False)


def test_validity_period_is_not_the_end_of_therapy(terminology: Terminology) -> None:
    resource = b.medication_request("m", b.medication_concept(code="6851"), mg=15)
    resource["dispenseRequest"] = {"validityPeriod": {"start": "2024-01-01", "end": "2024-03-01"}}
    exposure = _one(terminology, resource)
    assert (exposure.end, exposure.active) == (None, True)


def test_reference_display_names_the_drug_when_the_medication_is_missing(
    terminology: Terminology,
) -> None:
    resource = b.medication_statement("s", {})
    del resource["medicationCodeableConcept"]
    resource["medicationReference"] = {
        "reference": "Medication/not-sent",
        "display": "atorvastatin 40 MG Oral Tablet",
    }
    assert _one(terminology, resource).agent is Agent.ATORVASTATIN


@pytest.mark.parametrize(
    ("written", "start"),
    [
        ("2024-03", date(2024, 3, 31)),
        ("2023", date(2023, 12, 31)),
        ("2024-03-05", date(2024, 3, 5)),
    ],
)
def test_partial_start_is_the_latest_possible_day(
    terminology: Terminology, written: str, start: date
) -> None:
    concept = b.medication_concept(code="6851")
    request = _one(terminology, b.medication_request("m", concept, start=written))
    statement = _one(terminology, b.medication_statement("m", concept, start=written))
    authored = b.medication_request("m", concept)
    authored["dosageInstruction"] = [b.dosage(15)]
    authored["authoredOn"] = written
    assert request.start == statement.start == _one(terminology, authored).start == start


def test_partial_administration_date_is_one_day(terminology: Terminology) -> None:
    resource = {
        "resourceType": "MedicationAdministration",
        "id": "a",
        "status": "completed",
        "subject": b.SUBJECT,
        "medicationCodeableConcept": b.medication_concept(code="121191"),
        "effectiveDateTime": "2024-03",
    }
    exposure = _one(terminology, resource)
    assert (exposure.start, exposure.end) == (date(2024, 3, 31), date(2024, 3, 31))
