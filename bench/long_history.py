"""Long patient histories for the benchmark: 5 or 10 years of a treated myositis chart.

    patient_view_request(years=10)   # 1,042 relevant results among 1,402 Observations

What a real chart of a patient followed for years holds (synthetic, deterministic by seed):

- CK and LDH every two weeks (monthly in quiet years is rarer than one thinks: they come with
  every infusion and every dose change), aldolase monthly;
- a monthly liver panel: AST and ALT (read by the engine) with alkaline phosphatase,
  bilirubin and albumin (not read);
- MMT-8 at every monthly visit, a thigh MRI yearly, the myositis antibodies repeated yearly;
- therapy changes: prednisone tapers and re-escalations, methotrexate stopped for liver
  toxicity, azathioprine, mycophenolate, IVIG courses and rituximab, each a MedicationRequest
  with its period (``completed`` or ``stopped`` once over).

Routine blood counts and chemistry panels, which real charts hold as well, are left out: each
costs what any irrelevant Observation costs (the harness measures that slope separately), so
``routine_panels=True`` adds them monthly for a heavier variant. Relevant Observations get ids
starting ``myo-`` (the harness renames them for cold calls).
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

import orjson

from bench.generator import IRRELEVANT_LABS, PATIENT_ID, RELEVANT_ANTIBODIES, routine_observation
from tools.fhir_builders import (
    ICD10CM,
    SNOMED,
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
TODAY = date(2026, 11, 15)

# (LOINC, display, unit, upper limit) read by the engine.
CK = ("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 200.0)
LDH = (
    "2532-0",
    "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma",
    "U/L",
    250.0,
)
ALDOLASE = ("1761-6", "Aldolase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 8.1)
AST = (
    "1920-8",
    "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
    "U/L",
    40.0,
)
ALT = (
    "1742-6",
    "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
    "U/L",
    41.0,
)
_ROUTINE = {row[0]: row for row in IRRELEVANT_LABS}
LIVER_OTHERS = ("6768-6", "1975-2", "1751-7")  # alkaline phosphatase, bilirubin, albumin
BLOOD_COUNT = ("718-7", "4544-3", "6690-2", "777-3", "787-2")
METABOLIC = ("2951-2", "2823-3", "2075-0", "2028-9", "3094-0", "2160-0", "2345-7")


def _activity(day: int, span: int) -> float:
    """Disease activity 0..1 over the history: high at onset, two flares, quiet between."""
    onset = math.exp(-day / 200)
    flares = sum(math.exp(-(((day - at * span) / 60) ** 2)) for at in (0.45, 0.8))
    return min(1.0, onset + 0.8 * flares)


def _stamp(day: date, rng: random.Random) -> str:
    return f"{day.isoformat()}T{rng.randrange(7, 12):02d}:{rng.randrange(60):02d}:00Z"


def observations(
    years: int, seed: int = 7, today: date = TODAY, *, routine_panels: bool = False
) -> list[JsonObject]:
    rng = random.Random(seed)
    span = years * 365
    start = today - timedelta(days=span)
    found: list[JsonObject] = []
    serial = 0

    def relevant(row: tuple[str, str, str, float], factor: float, when: str) -> None:
        nonlocal serial
        serial += 1
        loinc, display, unit, high = row
        value = round(high * factor * rng.uniform(0.85, 1.15), 1)
        found.append(lab(PATIENT_ID, f"myo-{serial}", loinc, display, value, unit, when, high=high))

    def routine(loinc: str, when: str, encounter: int) -> None:
        nonlocal serial
        serial += 1
        row = _ROUTINE[loinc]
        value = round(rng.uniform(row[3] * 0.9, row[4] * 1.1), 1)
        found.append(routine_observation(f"lab-{serial}", row, value, when, encounter))

    for day in range(0, span, 14):  # CK and LDH every two weeks
        when = _stamp(start + timedelta(days=day), rng)
        activity = _activity(day, span)
        relevant(CK, 0.5 + 12 * activity, when)
        relevant(LDH, 0.7 + 2.5 * activity, when)
    for month in range(years * 12):  # the monthly visit
        day = month * span // (years * 12)
        when = _stamp(start + timedelta(days=day), rng)
        activity = _activity(day, span)
        liver = 1.0 + (1.5 if years * 12 * 0.2 < month < years * 12 * 0.3 else 0.0)  # MTX
        relevant(ALDOLASE, 0.6 + 3 * activity, when)
        relevant(AST, 0.5 + 2 * activity + 0.3 * liver, when)
        relevant(ALT, 0.4 + 1.5 * activity + 0.4 * liver, when)
        for loinc in (*LIVER_OTHERS, *((*BLOOD_COUNT, *METABOLIC) if routine_panels else ())):
            routine(loinc, when, month)
        serial += 1
        score = float(max(30, min(80, round(78 - 40 * activity + rng.uniform(-2, 2)))))
        found.append(
            measure_number(
                PATIENT_ID, f"myo-{serial}", "mmt8-80", "MMT-8 total", score, "{score}", when
            )
        )
        if month % 12 == 6:
            serial += 1
            grade = ("none", "mild", "moderate", "severe")[min(3, month // 36)]
            found.append(mri_fatty(PATIENT_ID, f"myo-{serial}", grade, when))
        if month % 12 == 1:
            for system, code, display in RELEVANT_ANTIBODIES:
                serial += 1
                positive = code == "hmgcr"
                found.append(
                    antibody(PATIENT_ID, f"myo-{serial}", system, code, display, positive, when)
                )
    return found


def medications(years: int, today: date = TODAY) -> list[JsonObject]:
    """The therapy changes of the history, oldest first; the last ones still active."""
    span = years * 365
    start = today - timedelta(days=span)

    def on(fraction: float) -> str:
        return (start + timedelta(days=int(span * fraction))).isoformat()

    made: list[JsonObject] = []
    # (id, RxNorm, name, start, end or None, mg/day)
    plan: list[tuple[str, str | None, str, float, float | None, float | None]] = [
        ("pred-1", "8640", "prednisone", 0.0, 0.15, 60),
        ("pred-2", "8640", "prednisone", 0.15, 0.35, 20),
        ("mtx-1", "6851", "methotrexate", 0.02, 0.3, 20),
        ("aza-1", "1256", "azathioprine", 0.3, 0.5, 150),
        ("pred-3", "8640", "prednisone", 0.45, 0.6, 40),
        ("mmf-1", "7145", "mycophenolate mofetil", 0.5, None, 2000),
        ("ivig-1", None, "IVIG (immune globulin intravenous)", 0.55, 0.75, None),
        ("pred-4", "8640", "prednisone", 0.8, 0.9, 30),
        ("rtx-1", "121191", "rituximab", 0.82, None, None),
        ("pred-5", "8640", "prednisone", 0.9, None, 7.5),
    ]
    for rid, rxnorm, name, begins, ends, dose in plan:
        made.append(
            medication_request(
                PATIENT_ID,
                rid,
                rxnorm,
                name,
                on(begins),
                status="active" if ends is None else "completed",
                dose_mg_per_day=dose,
                end=None if ends is None else on(ends),
            )
        )
    return made


def conditions(years: int, today: date = TODAY) -> list[JsonObject]:
    onset = (today - timedelta(days=years * 365)).isoformat()
    return [
        condition(
            PATIENT_ID, "dm-1", ICD10CM, "M33.12", "Other dermatomyositis with myopathy", onset
        ),
        condition(PATIENT_ID, "htn-1", SNOMED, "38341003", "Hypertensive disorder", "2012-06-01"),
        condition(
            PATIENT_ID,
            "gerd-1",
            SNOMED,
            "235595009",
            "Gastroesophageal reflux disease",
            "2019-01-20",
        ),
    ]


def patient_view_request(
    years: int, seed: int = 7, today: date = TODAY, *, routine_panels: bool = False
) -> JsonObject:
    """A patient-view call whose prefetch holds ``years`` of history."""
    return {
        "hook": "patient-view",
        "hookInstance": f"00000000-0000-4000-8000-{years:06d}{seed:06d}",
        "context": {"userId": "Practitioner/bench-rheumatologist", "patientId": PATIENT_ID},
        "prefetch": {
            "patient": patient(PATIENT_ID, "1968-04-12", "female", "Synthetic", "Bench"),
            "conditions": searchset(conditions(years, today)),
            "observations": searchset(
                observations(years, seed, today, routine_panels=routine_panels)
            ),
            "medicationRequests": searchset(medications(years, today)),
            "medicationStatements": None,
            "medicationAdministrations": None,
        },
    }


def encoded(request: JsonObject) -> bytes:
    return orjson.dumps(request)
