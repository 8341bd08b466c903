"""Realistic synthetic CDS Hooks requests for the benchmark (never real patients).

    patient_view_request(500, seed=7)   # prefetch with 500 Observations, ~10 % relevant
    order_select_request(500, seed=7)   # the same history plus a draftOrders Bundle

Most Observations are labs and vital signs the engine ignores (sodium, haemoglobin, glucose...
with real LOINC codes and the fields a lab system sends: category, reference range,
interpretation, performer, issued); about one in ten is one the engine reads (CK, LDH,
aldolase, AST, ALT, myositis antibodies, MMT-8, MRI). Conditions and medications mix
relevant and irrelevant ones. Deterministic by seed: the same arguments give the same bytes.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

import orjson

from tools.fhir_builders import (
    ANTIBODIES,
    ICD10CM,
    LOINC,
    SNOMED,
    UCUM,
    V3_INTERPRETATION,
    antibody,
    condition,
    lab,
    measure_number,
    medication_request,
    mri_fatty,
    patient,
    searchset,
)

JsonObject = dict[str, Any]

RELEVANT_SHARE = 0.10
PATIENT_ID = "bench-patient-1"
_NAMESPACE = uuid.UUID("6f1b1c55-8a53-4b8e-9d1e-3d3f3a0b7c11")
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# (LOINC, display, unit, low, high) of common labs the engine does not read.
IRRELEVANT_LABS: tuple[tuple[str, str, str, float, float], ...] = (
    ("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 135, 145),
    ("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.5, 5.1),
    ("2075-0", "Chloride [Moles/volume] in Serum or Plasma", "mmol/L", 98, 107),
    ("2028-9", "Carbon dioxide, total [Moles/volume] in Serum or Plasma", "mmol/L", 22, 29),
    ("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", 7, 20),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.2),
    ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 99),
    ("17861-6", "Calcium [Mass/volume] in Serum or Plasma", "mg/dL", 8.6, 10.3),
    ("1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", 3.5, 5.0),
    ("1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 0.1, 1.2),
    (
        "6768-6",
        "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma",
        "U/L",
        40,
        129,
    ),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 13.5, 17.5),
    ("4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "%", 41, 53),
    ("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.5, 11),
    ("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 150, 400),
    ("787-2", "MCV [Entitic volume] by Automated count", "fL", 80, 100),
    ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4, 5.6),
    ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 0, 200),
    ("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 0, 150),
    ("1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L", 0, 5),
    ("4537-7", "Erythrocyte sedimentation rate by Westergren method", "mm/h", 0, 20),
    ("8867-4", "Heart rate", "/min", 60, 100),
    ("8310-5", "Body temperature", "Cel", 36.1, 37.2),
    ("29463-7", "Body weight", "kg", 50, 100),
)

# (LOINC, display, unit, high) of labs the engine reads (mappings/labs.csv).
RELEVANT_LABS: tuple[tuple[str, str, str, float], ...] = (
    ("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 200),
    ("2532-0", "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 250),
    ("1761-6", "Aldolase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 8.1),
    (
        "1920-8",
        "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
        "U/L",
        40,
    ),
    (
        "1742-6",
        "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
        "U/L",
        41,
    ),
)

RELEVANT_ANTIBODIES: tuple[tuple[str, str, str], ...] = (
    (LOINC, "8076-2", "Jo-1 Ab [Presence] in Serum"),
    (LOINC, "88732-3", "Mi-2 Ab [Presence] in Serum"),
    (ANTIBODIES, "hmgcr", "Anti-HMGCR antibody"),
)


def _uuid(seed: int, *parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in (seed, *parts))))


def _when(start: date, rng: random.Random, span_days: int = 3 * 365) -> str:
    day = start - timedelta(days=rng.randrange(span_days))
    return f"{day.isoformat()}T{rng.randrange(6, 18):02d}:{rng.randrange(60):02d}:00Z"


def irrelevant_observation(index: int, rng: random.Random, today: date) -> JsonObject:
    """A routine lab or vital sign, shaped as a hospital lab system sends it."""
    row = IRRELEVANT_LABS[rng.randrange(len(IRRELEVANT_LABS))]
    low, high = row[3], row[4]
    value = round(rng.uniform(low * 0.8, high * 1.2 if high else 10), 1)
    return routine_observation(f"lab-{index}", row, value, _when(today, rng), index % 40)


def routine_observation(
    rid: str, row: tuple[str, str, str, float, float], value: float, when: str, encounter: int
) -> JsonObject:
    """One of ``IRRELEVANT_LABS`` with the fields a lab system sends (~1.1 KB)."""
    loinc, display, unit, low, high = row
    vital = loinc in {"8867-4", "8310-5", "29463-7"}
    flag = "H" if value > high else "L" if value < low else "N"
    return {
        "resourceType": "Observation",
        "id": rid,
        "meta": {"versionId": "1", "lastUpdated": when},
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": _CATEGORY,
                        "code": "vital-signs" if vital else "laboratory",
                        "display": "Vital Signs" if vital else "Laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": loinc, "display": display}], "text": display},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "encounter": {"reference": f"Encounter/enc-{encounter}"},
        "effectiveDateTime": when,
        "issued": when.replace("Z", ".000Z"),
        "performer": [{"reference": "Organization/bench-lab", "display": "Synthetic Lab"}],
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
        "interpretation": [{"coding": [{"system": V3_INTERPRETATION, "code": flag}], "text": flag}],
        "referenceRange": [
            {
                "low": {"value": low, "unit": unit, "system": UCUM, "code": unit},
                "high": {"value": high, "unit": unit, "system": UCUM, "code": unit},
            }
        ],
    }


def relevant_observation(index: int, rng: random.Random, today: date) -> JsonObject:
    """A result the engine reads: muscle enzymes mostly, some antibodies, MMT-8 and MRI."""
    rid = f"myo-{index}"
    when = _when(today, rng)
    kind = rng.random()
    if kind < 0.70:
        loinc, display, unit, high = RELEVANT_LABS[rng.randrange(len(RELEVANT_LABS))]
        value = round(rng.uniform(0.5, 8.0) * high, 1)
        return lab(PATIENT_ID, rid, loinc, display, value, unit, when, high=high)
    if kind < 0.82:
        system, code, display = RELEVANT_ANTIBODIES[rng.randrange(len(RELEVANT_ANTIBODIES))]
        return antibody(PATIENT_ID, rid, system, code, display, rng.random() < 0.5, when)
    if kind < 0.94:
        score = float(rng.randrange(40, 80))
        return measure_number(PATIENT_ID, rid, "mmt8-80", "MMT-8 total", score, "{score}", when)
    return mri_fatty(PATIENT_ID, rid, rng.choice(("none", "mild", "moderate", "severe")), when)


def observations(count: int, seed: int, today: date, extra_irrelevant: int = 0) -> list[JsonObject]:
    """``count`` Observations, ~10 % relevant, then ``extra_irrelevant`` routine labs more."""
    rng = random.Random(seed)
    mixed = [
        relevant_observation(i, rng, today)
        if rng.random() < RELEVANT_SHARE
        else irrelevant_observation(i, rng, today)
        for i in range(count)
    ]
    padding = [irrelevant_observation(count + i, rng, today) for i in range(extra_irrelevant)]
    return mixed + padding


def conditions() -> list[JsonObject]:
    return [
        condition(
            PATIENT_ID,
            "dm-1",
            ICD10CM,
            "M33.12",
            "Other dermatomyositis with myopathy",
            "2023-02-10",
        ),
        condition(PATIENT_ID, "htn-1", SNOMED, "38341003", "Hypertensive disorder", "2015-06-01"),
        condition(
            PATIENT_ID,
            "t2dm-1",
            ICD10CM,
            "E11.9",
            "Type 2 diabetes mellitus without complications",
            "2018-09-12",
        ),
        condition(
            PATIENT_ID,
            "gerd-1",
            SNOMED,
            "235595009",
            "Gastroesophageal reflux disease",
            "2019-01-20",
        ),
    ]


def medications() -> list[JsonObject]:
    return [
        medication_request(
            PATIENT_ID, "pred-1", "8640", "prednisone", "2023-02-15", dose_mg_per_day=20
        ),
        medication_request(
            PATIENT_ID, "mtx-1", "6851", "methotrexate", "2023-03-01", dose_mg_per_day=15
        ),
        medication_request(
            PATIENT_ID, "lis-1", "29046", "lisinopril", "2015-06-02", dose_mg_per_day=10
        ),
        medication_request(
            PATIENT_ID, "met-1", "6809", "metformin", "2018-09-15", dose_mg_per_day=1000
        ),
        medication_request(
            PATIENT_ID, "ome-1", "7646", "omeprazole", "2019-01-21", dose_mg_per_day=20
        ),
    ]


def _prefetch(
    observation_count: int, seed: int, today: date, extra_irrelevant: int = 0
) -> JsonObject:
    return {
        "patient": patient(PATIENT_ID, "1968-04-12", "female", "Synthetic", "Bench"),
        "conditions": searchset(conditions()),
        "observations": searchset(observations(observation_count, seed, today, extra_irrelevant)),
        "medicationRequests": searchset(medications()),
        "medicationStatements": None,
        "medicationAdministrations": None,
    }


def patient_view_request(
    observation_count: int,
    seed: int = 7,
    today: date = date(2026, 11, 15),
    *,
    extra_irrelevant: int = 0,
) -> JsonObject:
    """A patient-view call with a full prefetch of ``observation_count`` Observations (~10 %
    relevant) and ``extra_irrelevant`` routine labs after them (for the marginal cost)."""
    return {
        "hook": "patient-view",
        "hookInstance": _uuid(seed, "patient-view", observation_count, extra_irrelevant),
        "context": {"userId": "Practitioner/bench-rheumatologist", "patientId": PATIENT_ID},
        "prefetch": _prefetch(observation_count, seed, today, extra_irrelevant),
    }


def draft_orders() -> JsonObject:
    rituximab = medication_request(
        PATIENT_ID, "draft-rtx", "121191", "rituximab", "2026-11-15", status="draft"
    )
    statin = medication_request(
        PATIENT_ID,
        "draft-atorva",
        "83367",
        "atorvastatin",
        "2026-11-15",
        status="draft",
        dose_mg_per_day=40,
    )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": rituximab}, {"resource": statin}],
    }


def order_select_request(
    observation_count: int, seed: int = 7, today: date = date(2026, 11, 15)
) -> JsonObject:
    """An order-select call: two draft MedicationRequests, one selected, and the history."""
    return {
        "hook": "order-select",
        "hookInstance": _uuid(seed, "order-select", observation_count),
        "context": {
            "userId": "Practitioner/bench-rheumatologist",
            "patientId": PATIENT_ID,
            "selections": ["MedicationRequest/draft-rtx"],
            "draftOrders": draft_orders(),
        },
        "prefetch": _prefetch(observation_count, seed, today),
    }


def encoded(request: JsonObject) -> bytes:
    return orjson.dumps(request)


__all__ = [
    "IRRELEVANT_LABS",
    "RELEVANT_LABS",
    "encoded",
    "order_select_request",
    "patient_view_request",
]
