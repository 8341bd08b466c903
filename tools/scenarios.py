"""The synthetic fixture patients, one scenario each, with the findings a clinician expects.

``python -m tools.make_fixtures`` writes them to ``fixtures/scenarios/<name>/``; a test checks
the files on disk are what this module describes. The expected findings are written here by
hand from clinical-reference.md, never copied from the service's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.fhir_builders import (
    ANTIBODIES,
    ICD10CM,
    LOINC,
    SNOMED,
    JsonObject,
    antibody,
    condition,
    lab,
    measure_flag,
    measure_number,
    medication_request,
    mri_fatty,
    patient,
)

EVALUATION_DATE = "2026-11-15"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    patient_id: str
    resources: list[JsonObject]
    expected_findings: list[str]
    hook: str = "patient-view"
    draft_orders: list[JsonObject] = field(default_factory=list)
    selections: list[str] | None = None
    expected_recommended: dict[str, str] = field(default_factory=dict)


def _statin_hmgcr() -> Scenario:
    pid = "syn-hmgcr-statin"
    return Scenario(
        name="statin-and-hmgcr",
        description=(
            "Adult with anti-HMGCR necrotizing myopathy still on atorvastatin, active on "
            "first-line therapy for 5 months: stop the statin; escalate (IVIG preferred)."
        ),
        patient_id=pid,
        resources=[
            patient(pid, "1961-04-12", "male", "Synthetic", "Harold"),
            condition(
                pid,
                "imnm-1",
                ICD10CM,
                "G72.49",
                "Other inflammatory and immune myopathies, NEC",
                "2026-05-20",
            ),
            antibody(
                pid, "hmgcr-1", ANTIBODIES, "hmgcr", "Anti-HMGCR antibody", True, "2026-06-01"
            ),
            medication_request(
                pid, "atorva-1", "83367", "atorvastatin 40 MG Oral Tablet", "2021-03-01"
            ),
            medication_request(
                pid, "pred-1", "8640", "prednisone 40 MG", "2026-06-10", dose_mg_per_day=40
            ),
            medication_request(pid, "mtx-1", "6851", "methotrexate 20 MG weekly", "2026-06-10"),
            lab(pid, "ck-1", "2157-6", "Creatine kinase", 6200, "U/L", "2026-06-01", 336, 52),
            lab(pid, "ck-2", "2157-6", "Creatine kinase", 4100, "U/L", "2026-09-20", 336, 52),
            lab(pid, "ck-3", "2157-6", "Creatine kinase", 4800, "U/L", "2026-11-02", 336, 52),
            lab(
                pid, "ldh-1", "2532-0", "Lactate dehydrogenase", 610, "U/L", "2026-11-02", 250, 120
            ),
            lab(pid, "tsh-1", "3016-3", "TSH", 2.1, "m[IU]/L", "2026-06-01", 4.0, 0.4),
            measure_number(pid, "mmt-1", "mmt8-80", "MMT-8 (0-80)", 58, "{score}", "2026-06-01"),
            measure_number(pid, "mmt-2", "mmt8-80", "MMT-8 (0-80)", 60, "{score}", "2026-11-02"),
            measure_flag(
                pid, "mri-edema-1", "mri-muscle-edema", "MRI STIR muscle edema", True, "2026-10-15"
            ),
            mri_fatty(pid, "mri-fat-1", "mild", "2026-10-15"),
        ],
        expected_findings=["statin-and-hmgcr", "escalate-second-line"],
        expected_recommended={"escalate-second-line": "IVIG"},
    )


def _quiet() -> Scenario:
    pid = "syn-dm-responding"
    return Scenario(
        name="no-findings-early-responder",
        description=(
            "Adult dermatomyositis six weeks into prednisone and methotrexate, full work-up, "
            "enzymes normalising: not refractory yet, nothing to say."
        ),
        patient_id=pid,
        resources=[
            patient(pid, "1979-09-30", "female", "Synthetic", "Grace"),
            condition(pid, "dm-1", SNOMED, "396230008", "Dermatomyositis", "2026-09-15"),
            antibody(
                pid, "hmgcr-1", ANTIBODIES, "hmgcr", "Anti-HMGCR antibody", False, "2026-09-20"
            ),
            antibody(
                pid,
                "jo1-1",
                LOINC,
                "5234-0",
                "Jo-1 Ab [Presence] by Immunoassay",
                False,
                "2026-09-20",
            ),
            medication_request(
                pid, "pred-1", "8640", "prednisone 60 MG", "2026-10-01", dose_mg_per_day=60
            ),
            medication_request(pid, "mtx-1", "6851", "methotrexate 15 MG weekly", "2026-10-01"),
            lab(pid, "ck-1", "2157-6", "Creatine kinase", 900, "U/L", "2026-09-20", 176, 38),
            lab(pid, "ck-2", "2157-6", "Creatine kinase", 150, "U/L", "2026-11-05", 176, 38),
            lab(pid, "tsh-1", "3016-3", "TSH", 1.8, "m[IU]/L", "2026-09-20", 4.0, 0.4),
            measure_number(pid, "mmt-1", "mmt8-80", "MMT-8 (0-80)", 66, "{score}", "2026-09-20"),
            measure_number(pid, "mmt-2", "mmt8-80", "MMT-8 (0-80)", 76, "{score}", "2026-11-05"),
            measure_flag(
                pid, "mri-edema-1", "mri-muscle-edema", "MRI STIR muscle edema", True, "2026-09-25"
            ),
        ],
        expected_findings=[],
    )


def all_scenarios() -> list[Scenario]:
    return [_statin_hmgcr(), _quiet()]
