"""Scenarios for the firing rules on the mimic and activity side (docs/clinical-logic.md).

Each one is a patient whose answer the firing rules settle: steroid myopathy with a falling
CK, escalation driven by the lung or skin, treated hypothyroidism, a coded IBM, the IBM tree
on glucocorticoids alone, rapidly progressive vs slowly progressing ILD, a stable ILD, a stale
MRI, unreadable values. The expected findings are written by hand from the rules, with the
reason in the description; ``tools.scenarios.all_scenarios`` includes them.
"""

from __future__ import annotations

from tools.fhir_builders import (
    ICD10CM,
    LOINC,
    SNOMED,
    UCUM,
    JsonObject,
    antibody,
    condition,
    lab,
    measure_flag,
    measure_number,
    medication_request,
    patient,
)
from tools.scenarios import Scenario
from tools.scenarios import _draft as scenario_draft
from tools.scenarios import _order_pair as order_pair

_NEGATIVE_PANEL = (
    ("jo1-1", "5234-0", "Jo-1 Ab [Presence] by Immunoassay"),
    ("srp-1", "33921-8", "Signal recognition particle Ab [Presence]"),
    ("mda5-1", "107563-9", "MDA5 Ab [Presence]"),
)


def _ck(pid: str, rid: str, value: float, when: str, high: float = 200) -> JsonObject:
    return lab(pid, rid, "2157-6", "Creatine kinase", value, "U/L", when, high, 30)


def _mmt(pid: str, rid: str, value: float, when: str) -> JsonObject:
    return measure_number(pid, rid, "mmt8-80", "MMT-8 (0-80)", value, "{score}", when)


def _neck(pid: str, rid: str, value: float, when: str) -> JsonObject:
    return measure_number(
        pid, rid, "neck-flexor-strength", "Neck flexor strength", value, "{score}", when
    )


def _edema(pid: str, present: bool, when: str) -> JsonObject:
    return measure_flag(
        pid, "mri-edema-1", "mri-muscle-edema", "MRI STIR muscle edema", present, when
    )


def _tsh(pid: str, value: float = 2.0, when: str = "2026-10-01") -> JsonObject:
    return lab(pid, "tsh-1", "3016-3", "TSH", value, "m[IU]/L", when, 4.0, 0.4)


def _progression(pid: str, rid: str, when: str, flag: bool = True) -> JsonObject:
    return measure_flag(pid, rid, "ild-progression", "ILD radiological progression", flag, when)


def _fvc(pid: str, rid: str, value: float, when: str) -> JsonObject:
    return lab(pid, rid, "19870-5", "FVC % predicted", value, "%", when)


def _negative_panel(pid: str, when: str) -> list[JsonObject]:
    return [
        antibody(pid, rid, LOINC, code, display, False, when)
        for rid, code, display in _NEGATIVE_PANEL
    ]


def _first_line(pid: str, start: str) -> list[JsonObject]:
    return [
        medication_request(
            pid, "pred-1", "8640", "prednisone 20 MG Oral Tablet", start, dose_mg_per_day=20
        ),
        medication_request(pid, "mtx-1", "6851", "methotrexate 20 MG once weekly", start),
    ]


def _taper(pid: str) -> list[JsonObject]:
    """Prednisone 60 mg from June, tapered to 30 mg in August and 15 mg in October, with MTX."""
    return [
        medication_request(
            pid,
            "pred-1",
            "8640",
            "prednisone 60 MG",
            "2026-06-01",
            dose_mg_per_day=60,
            end="2026-08-09",
            status="completed",
        ),
        medication_request(
            pid,
            "pred-2",
            "8640",
            "prednisone 30 MG",
            "2026-08-10",
            dose_mg_per_day=30,
            end="2026-10-04",
            status="completed",
        ),
        medication_request(
            pid, "pred-3", "8640", "prednisone 15 MG", "2026-10-05", dose_mg_per_day=15
        ),
        medication_request(pid, "mtx-1", "6851", "methotrexate 20 MG once weekly", "2026-06-01"),
    ]


def _steroid_myopathy_falling_ck() -> Scenario:
    pid = "syn-steroid-falling-ck"
    return Scenario(
        name="suspect-steroid-myopathy-falling-ck",
        description="Polymyositis on a prednisone taper (60 -> 30 -> 15 mg) with methotrexate "
        "for 24 weeks: CK fell steeply, 4200 -> 1400 -> 320 U/L, still 1.6x ULN but lower "
        "than the CK before it and under half the course peak, so falling; MMT-8 fallen from "
        "72 to 64, no STIR edema on the October MRI, neck flexors stable. Steroid myopathy is "
        "suspected; the falling CK is that rule's premise, not activity: no escalation.",
        patient_id=pid,
        resources=[
            patient(pid, "1969-04-02", "female", "Synthetic", "Irma"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.20",
                "Polymyositis, organ involvement unspecified",
                "2026-05-15",
            ),
            antibody(pid, "pl7-1", LOINC, "33772-5", "PL-7 Ab [Presence]", True, "2026-05-20"),
            *_negative_panel(pid, "2026-05-20"),
            *_taper(pid),
            _ck(pid, "ck-1", 4200, "2026-06-01"),
            _ck(pid, "ck-2", 1400, "2026-08-20"),
            _ck(pid, "ck-3", 320, "2026-11-05"),
            _mmt(pid, "mmt-1", 72, "2026-07-15"),
            _mmt(pid, "mmt-2", 64, "2026-11-05"),
            _neck(pid, "neck-1", 8, "2026-07-15"),
            _neck(pid, "neck-2", 8, "2026-11-05"),
            _edema(pid, False, "2026-10-20"),
            _tsh(pid),
        ],
        expected_findings=["suspect-steroid-myopathy"],
    )


def _steroid_myopathy_single_request_taper() -> Scenario:
    pid = "syn-steroid-one-request-taper"
    taper = medication_request(
        pid,
        "pred-1",
        "8640",
        "prednisone taper",
        "2026-08-25",
        dose_mg_per_day=60,
        end="2026-09-30",
    )
    step = {
        "text": "10 mg daily",
        "timing": {
            "repeat": {
                "boundsPeriod": {"start": "2026-10-01"},
                "frequency": 1,
                "period": 1,
                "periodUnit": "d",
            }
        },
        "doseAndRate": [
            {"doseQuantity": {"value": 10, "unit": "mg", "system": UCUM, "code": "mg"}}
        ],
    }
    taper["dosageInstruction"] = [*taper["dosageInstruction"], step]
    return Scenario(
        name="suspect-steroid-myopathy-one-request-taper",
        description="Polymyositis on a prednisone taper written as one request: 60 mg from 25 "
        "August to 30 September, 10 mg since (under 12 weeks in all, so only the 5 weeks at "
        "60 mg qualify the exposure, not today's 10 mg). CK 4200 -> 1400 -> 320 U/L (falling), "
        "MMT-8 72 -> 64, no edema on the October MRI, neck flexors stable: steroid myopathy. "
        "First line is not yet 12 weeks: the mimic card does not wait for the gate.",
        patient_id=pid,
        resources=[
            patient(pid, "1966-10-10", "female", "Synthetic", "Ilse"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.20",
                "Polymyositis, organ involvement unspecified",
                "2026-08-01",
            ),
            antibody(pid, "pl7-1", LOINC, "33772-5", "PL-7 Ab [Presence]", True, "2026-08-05"),
            *_negative_panel(pid, "2026-08-05"),
            taper,
            medication_request(
                pid, "mtx-1", "6851", "methotrexate 20 MG once weekly", "2026-08-25"
            ),
            _ck(pid, "ck-1", 4200, "2026-08-25"),
            _ck(pid, "ck-2", 1400, "2026-10-01"),
            _ck(pid, "ck-3", 320, "2026-11-05"),
            _mmt(pid, "mmt-1", 72, "2026-09-10"),
            _mmt(pid, "mmt-2", 64, "2026-11-05"),
            _neck(pid, "neck-1", 8, "2026-09-10"),
            _neck(pid, "neck-2", 8, "2026-11-05"),
            _edema(pid, False, "2026-10-20"),
            _tsh(pid),
        ],
        expected_findings=["suspect-steroid-myopathy"],
    )


def _steroid_myopathy_with_active_ild() -> Scenario:
    base = _steroid_myopathy_falling_ck()
    pid = "syn-steroid-myopathy-ild"
    resources = [
        {**r, "subject": {"reference": f"Patient/{pid}"}}
        for r in base.resources
        if r["resourceType"] != "Patient"
    ]
    return Scenario(
        name="escalate-second-line-lung-driven-with-steroid-myopathy",
        description="The steroid-myopathy patient with anti-PL-7 ILD known since 2024 and "
        "progressing now (FVC 80 -> 73 % predicted since June, progression on the November "
        "CT; not rapid: the ILD is two years old and the fall is under 10 % in 12 weeks). The "
        "myopathy explains the muscle, not the lung: the second-line card stays, driven by the "
        "lung, tacrolimus first for anti-synthetase ILD.",
        patient_id=pid,
        resources=[
            patient(pid, "1967-08-19", "female", "Synthetic", "Judith"),
            *resources,
            condition(pid, "ild-1", SNOMED, "233703007", "Interstitial lung disease", "2024-09-01"),
            _fvc(pid, "fvc-1", 80, "2026-06-10"),
            _fvc(pid, "fvc-2", 76, "2026-09-01"),
            _fvc(pid, "fvc-3", 73, "2026-11-05"),
            _progression(pid, "ild-prog-1", "2026-11-05"),
        ],
        expected_findings=["suspect-steroid-myopathy", "escalate-second-line"],
        expected_recommended={"escalate-second-line": "Tacrolimus"},
    )


def _stable_ild() -> Scenario:
    pid = "syn-stable-ild"
    return Scenario(
        name="reassess-activity-vs-damage-stable-ild",
        description="Anti-Jo-1 polymyositis with an ILD Condition but a stable FVC (81, 82 % "
        "predicted) and no progression on the latest CT; CK normal, no edema, weakness "
        "persisting after 30 weeks of first line. An ILD Condition alone is not activity: no "
        "escalation; activity or damage is unclear.",
        patient_id=pid,
        resources=[
            patient(pid, "1964-11-30", "male", "Synthetic", "Bruno"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.21",
                "Polymyositis with respiratory involvement",
                "2025-12-01",
            ),
            condition(pid, "ild-1", SNOMED, "233703007", "Interstitial lung disease", "2025-12-01"),
            antibody(
                pid,
                "jo1-1",
                LOINC,
                "5234-0",
                "Jo-1 Ab [Presence] by Immunoassay",
                True,
                "2025-12-05",
            ),
            *_first_line(pid, "2026-04-01"),
            _ck(pid, "ck-1", 150, "2026-09-01"),
            _ck(pid, "ck-2", 140, "2026-11-01"),
            _mmt(pid, "mmt-1", 66, "2026-09-01"),
            _mmt(pid, "mmt-2", 66, "2026-11-01"),
            _edema(pid, False, "2026-10-15"),
            _fvc(pid, "fvc-1", 81, "2026-07-01"),
            _fvc(pid, "fvc-2", 82, "2026-11-01"),
            _progression(pid, "ild-prog-1", "2026-11-01", flag=False),
            _tsh(pid),
        ],
        expected_findings=["reassess-activity-vs-damage"],
    )


def _slow_ild_progression() -> Scenario:
    pid = "syn-slow-ild"
    return Scenario(
        name="escalate-second-line-slow-ild-progression",
        description="Anti-Jo-1 polymyositis, ILD since 2023 progressing on the November CT, "
        "FVC 78 -> 74 % predicted over 20 weeks; muscle quiet (CK normal, no edema), 30 weeks "
        "of first line. Progression years after the ILD's onset is not rapidly progressive "
        "ILD: no urgent card; the lung is active, so the second-line card is due, driven by the "
        "lung, tacrolimus first.",
        patient_id=pid,
        resources=[
            patient(pid, "1961-02-17", "female", "Synthetic", "Frieda"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.21",
                "Polymyositis with respiratory involvement",
                "2023-03-01",
            ),
            condition(pid, "ild-1", SNOMED, "233703007", "Interstitial lung disease", "2023-03-01"),
            antibody(
                pid,
                "jo1-1",
                LOINC,
                "5234-0",
                "Jo-1 Ab [Presence] by Immunoassay",
                True,
                "2023-03-05",
            ),
            *_first_line(pid, "2026-04-01"),
            _ck(pid, "ck-1", 120, "2026-11-01"),
            _mmt(pid, "mmt-1", 74, "2026-11-01"),
            _edema(pid, False, "2026-10-15"),
            _fvc(pid, "fvc-1", 78, "2026-06-20"),
            _fvc(pid, "fvc-2", 74, "2026-11-05"),
            _progression(pid, "ild-prog-1", "2026-11-05"),
            _tsh(pid),
        ],
        expected_findings=["escalate-second-line"],
        expected_recommended={"escalate-second-line": "Tacrolimus"},
    )


def _treated_hypothyroidism() -> Scenario:
    pid = "syn-treated-thyroid"
    return Scenario(
        name="escalate-second-line-treated-hypothyroidism",
        description="Active anti-Mi-2 dermatomyositis after 32 weeks of first line (CK rising, "
        "STIR edema) in a woman with hypothyroidism on levothyroxine and a TSH of 2.1 last "
        "month: the thyroid is treated, so no hypothyroidism card; escalate to second line.",
        patient_id=pid,
        resources=[
            patient(pid, "1972-07-07", "female", "Synthetic", "Hilde"),
            condition(pid, "dm-1", SNOMED, "396230008", "Dermatomyositis", "2026-03-01"),
            condition(pid, "hypo-1", ICD10CM, "E03.9", "Hypothyroidism, unspecified", "2019-01-01"),
            antibody(
                pid,
                "mi2-1",
                LOINC,
                "82997-8",
                "Mi-2 alpha IgG Ab [Presence] by Line blot",
                True,
                "2026-03-10",
            ),
            *_first_line(pid, "2026-04-01"),
            _ck(pid, "ck-1", 900, "2026-09-01"),
            _ck(pid, "ck-2", 1300, "2026-10-20"),
            _mmt(pid, "mmt-1", 62, "2026-10-20"),
            _edema(pid, True, "2026-10-10"),
            _tsh(pid, 2.1, "2026-10-15"),
        ],
        expected_findings=["escalate-second-line"],
    )


def _coded_ibm() -> Scenario:
    pid = "syn-coded-ibm"
    return Scenario(
        name="suspect-ibm-coded-diagnosis",
        description="Man of 71 with inclusion body myositis coded (ICD-10-CM G72.41) and no "
        "other myositis diagnosis, on prednisone and methotrexate for 24 weeks, CK 2.5x ULN "
        "and STIR edema: the coded IBM is an IIM diagnosis and makes suspect-ibm hold by "
        "itself; IBM is not escalated.",
        patient_id=pid,
        resources=[
            patient(pid, "1955-05-05", "male", "Synthetic", "Konrad"),
            condition(
                pid, "ibm-1", ICD10CM, "G72.41", "Inclusion body myositis [IBM]", "2026-04-01"
            ),
            *_negative_panel(pid, "2026-04-10"),
            *_first_line(pid, "2026-06-01"),
            _ck(pid, "ck-1", 480, "2026-09-01"),
            _ck(pid, "ck-2", 500, "2026-11-01"),
            _mmt(pid, "mmt-1", 60, "2026-11-01"),
            _edema(pid, True, "2026-10-10"),
            _tsh(pid),
        ],
        expected_findings=["suspect-ibm"],
    )


def _ibm_after_glucocorticoids_alone() -> Scenario:
    pid = "syn-ibm-steroids-only"
    return Scenario(
        name="suspect-ibm-glucocorticoids-alone",
        description="Woman of 66 labelled polymyositis, finger-flexor weakness, 8 weeks of "
        "prednisone then 8 of prednisolone and nothing else: glucocorticoids alone for 16 "
        "weeks with the weakness persisting count as no response in the IBM tree. The mimic "
        "card does not wait for the first-line gate (no methotrexate yet).",
        patient_id=pid,
        resources=[
            patient(pid, "1960-01-25", "female", "Synthetic", "Gerda"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.20",
                "Polymyositis, organ involvement unspecified",
                "2026-06-15",
            ),
            *_negative_panel(pid, "2026-06-20"),
            medication_request(
                pid,
                "pred-1",
                "8640",
                "prednisone 40 MG",
                "2026-07-20",
                dose_mg_per_day=40,
                end="2026-09-13",
                status="completed",
            ),
            medication_request(
                pid,
                "prednisolone-1",
                "8638",
                "prednisolone 30 MG",
                "2026-09-14",
                dose_mg_per_day=30,
            ),
            _ck(pid, "ck-1", 600, "2026-11-01"),
            _mmt(pid, "mmt-1", 61, "2026-11-01"),
            measure_flag(
                pid, "ffw-1", "finger-flexor-weakness", "Finger flexor weakness", True, "2026-11-01"
            ),
            _edema(pid, True, "2026-10-10"),
            _tsh(pid),
        ],
        expected_findings=["suspect-ibm"],
    )


def _stale_mri() -> Scenario:
    pid = "syn-stale-mri"
    return Scenario(
        name="workup-incomplete-stale-mri",
        description="Anti-Mi-2 dermatomyositis, weak after 30 weeks of first line, CK normal; "
        "the only sign of activity is STIR edema on an MRI from May 2025, 18 months old. A "
        "stale MRI is no activity item: repeat it (work-up incomplete), no escalation.",
        patient_id=pid,
        resources=[
            patient(pid, "1976-12-12", "female", "Synthetic", "Vera"),
            condition(pid, "dm-1", SNOMED, "396230008", "Dermatomyositis", "2025-04-01"),
            antibody(
                pid,
                "mi2-1",
                LOINC,
                "82997-8",
                "Mi-2 alpha IgG Ab [Presence] by Line blot",
                True,
                "2025-04-10",
            ),
            *_first_line(pid, "2026-04-01"),
            _ck(pid, "ck-1", 150, "2026-11-01"),
            _mmt(pid, "mmt-1", 64, "2026-11-01"),
            _edema(pid, True, "2025-05-15"),
            _tsh(pid),
        ],
        expected_findings=["workup-incomplete"],
    )


def _unreadable_value() -> Scenario:
    pid = "syn-unreadable-ldh"
    ldh: JsonObject = {
        "resourceType": "Observation",
        "id": "ldh-1",
        "status": "final",
        "code": {
            "coding": [{"system": LOINC, "code": "2532-0", "display": "Lactate dehydrogenase"}]
        },
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": "2026-11-01",
        "valueQuantity": {"value": 620},
    }
    return Scenario(
        name="workup-incomplete-unreadable-value",
        description="Active anti-Mi-2 dermatomyositis after 32 weeks of first line (CK rising, "
        "STIR edema): escalate. An LDH of 620 arrived without a unit: it is not guessed to be "
        "U/L; the work-up card states it as a value that could not be read.",
        patient_id=pid,
        resources=[
            patient(pid, "1970-03-03", "female", "Synthetic", "Lotte"),
            condition(pid, "dm-1", SNOMED, "396230008", "Dermatomyositis", "2026-03-01"),
            antibody(
                pid,
                "mi2-1",
                LOINC,
                "82997-8",
                "Mi-2 alpha IgG Ab [Presence] by Line blot",
                True,
                "2026-03-10",
            ),
            *_first_line(pid, "2026-04-01"),
            _ck(pid, "ck-1", 900, "2026-09-01"),
            _ck(pid, "ck-2", 1300, "2026-10-20"),
            ldh,
            _mmt(pid, "mmt-1", 62, "2026-10-20"),
            _edema(pid, True, "2026-10-10"),
            _tsh(pid),
        ],
        expected_findings=["escalate-second-line", "workup-incomplete"],
    )


def mimic_and_activity_scenarios() -> list[Scenario]:
    falling_ck = _steroid_myopathy_falling_ck()
    ivig = [
        scenario_draft(
            falling_ck.patient_id, "draft-ivig", None, "Immune globulin intravenous 10% 2 g/kg"
        )
    ]
    return [
        falling_ck,
        *order_pair(
            "order-escalation-not-supported-steroid-myopathy",
            "IVIG drafted for the patient whose CK is falling on a glucocorticoid taper with "
            "weakness worsening (suspect steroid myopathy): escalation is not supported.",
            falling_ck,
            ivig,
            ["draft-ivig"],
            ["order-escalation-not-supported"],
        ),
        _steroid_myopathy_single_request_taper(),
        _steroid_myopathy_with_active_ild(),
        _stable_ild(),
        _slow_ild_progression(),
        _treated_hypothyroidism(),
        _coded_ibm(),
        _ibm_after_glucocorticoids_alone(),
        _stale_mri(),
        _unreadable_value(),
    ]
