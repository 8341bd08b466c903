"""The synthetic fixture patients, one scenario each, with the findings a clinician expects.

``python -m tools.make_fixtures`` writes them to ``fixtures/scenarios/<name>/``; a test checks
the files on disk are what this module describes. The expected findings are written here by
hand from docs/clinical-logic.md, never copied from the service's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
            medication_request(
                pid,
                "mtx-1",
                "6851",
                "methotrexate 20 MG weekly",
                "2026-06-10",
                dose_every=(20, "mg", 1, "wk"),
            ),
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
            antibody(pid, "srp-1", LOINC, "33921-8", "SRP Ab [Presence]", False, "2026-09-20"),
            antibody(pid, "mi2-1", LOINC, "82997-8", "Mi-2 IgG Ab [Presence]", False, "2026-09-20"),
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


# Shorthand for the complete work-up most scenarios carry (so that only the point of the
# scenario decides its findings): TSH normal, a recent strength score and MRI.
def _tsh(pid: str, value: float = 2.0, when: str = "2026-09-01") -> JsonObject:
    return lab(pid, "tsh-1", "3016-3", "TSH", value, "m[IU]/L", when, 4.0, 0.4)


def _ck(pid: str, rid: str, value: float, when: str, high: float | None = 336) -> JsonObject:
    low = None if high is None else 38.0
    return lab(pid, rid, "2157-6", "Creatine kinase", value, "U/L", when, high, low)


def _mmt(pid: str, rid: str, value: float, when: str) -> JsonObject:
    return measure_number(pid, rid, "mmt8-80", "MMT-8 (0-80)", value, "{score}", when)


def _edema(pid: str, present: bool, when: str = "2026-10-10") -> JsonObject:
    return measure_flag(
        pid, "mri-edema-1", "mri-muscle-edema", "MRI STIR muscle edema", present, when
    )


# As ordered: methotrexate is dosed weekly, azathioprine daily (dose display test).
FIRST_LINE_DOSE: dict[str, tuple[float, str, float, str]] = {
    "methotrexate": (20, "mg", 1, "wk"),
    "azathioprine": (100, "mg", 1, "d"),
}


def _first_line(pid: str, start: str, second: str = "methotrexate") -> list[JsonObject]:
    code = {"methotrexate": "6851", "azathioprine": "1256"}[second]
    return [
        medication_request(
            pid, "pred-1", "8640", "prednisone 20 MG Oral Tablet", start, dose_mg_per_day=20
        ),
        medication_request(
            pid,
            f"{second[:3]}-1",
            code,
            f"{second} oral",
            start,
            dose_every=FIRST_LINE_DOSE[second],
        ),
    ]


def _escalate_second_line_dm() -> Scenario:
    pid = "syn-dm-active"
    return Scenario(
        name="escalate-second-line-adult-dm",
        description="Adult anti-Mi-2 dermatomyositis, 32 weeks of prednisone and methotrexate, "
        "CK rising above ULN and STIR edema: refractory and active, escalate to second line.",
        patient_id=pid,
        resources=[
            patient(pid, "1974-02-11", "female", "Synthetic", "Edith"),
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
            _ck(pid, "ck-1", 1500, "2026-09-01", 176),
            _ck(pid, "ck-2", 1900, "2026-10-20", 176),
            _mmt(pid, "mmt-1", 62, "2026-10-20"),
            _edema(pid, True),
            _tsh(pid),
        ],
        expected_findings=["escalate-second-line"],
    )


def _escalate_third_line_srp() -> Scenario:
    pid = "syn-srp-ivig-failed"
    return Scenario(
        name="escalate-third-line-anti-srp",
        description="Anti-SRP necrotizing myopathy, still active after 32 weeks of IVIG (second "
        "line) on top of prednisone: escalate to third line, rituximab preferred.",
        patient_id=pid,
        resources=[
            patient(pid, "1981-07-04", "male", "Synthetic", "Victor"),
            condition(
                pid,
                "imnm-1",
                ICD10CM,
                "G72.49",
                "Other inflammatory and immune myopathies, NEC",
                "2025-11-20",
            ),
            antibody(
                pid,
                "srp-1",
                LOINC,
                "33921-8",
                "Signal recognition particle Ab [Presence]",
                True,
                "2025-11-25",
            ),
            *_first_line(pid, "2025-12-01"),
            medication_request(
                pid, "ivig-1", None, "Immune globulin intravenous (human) 10%", "2026-04-01"
            ),
            _ck(pid, "ck-1", 9000, "2026-08-20"),
            _ck(pid, "ck-2", 8200, "2026-11-01"),
            _mmt(pid, "mmt-1", 50, "2026-11-01"),
            _edema(pid, True),
            _tsh(pid),
        ],
        expected_findings=["escalate-third-line"],
        expected_recommended={"escalate-third-line": "Rituximab"},
    )


def _urgent_mda5() -> Scenario:
    pid = "syn-mda5-rpild"
    return Scenario(
        name="urgent-escalation-anti-mda5",
        description="Anti-MDA5 dermatomyositis with rapidly progressive ILD three weeks into "
        "glucocorticoids, CK normal: urgent combination therapy whatever the time on first line.",
        patient_id=pid,
        resources=[
            patient(pid, "1988-01-21", "female", "Synthetic", "Mina"),
            condition(
                pid,
                "dm-1",
                ICD10CM,
                "M33.11",
                "Other dermatomyositis with respiratory involvement",
                "2026-09-15",
            ),
            condition(pid, "ild-1", SNOMED, "233703007", "Interstitial lung disease", "2026-09-20"),
            antibody(pid, "mda5-1", LOINC, "107563-9", "MDA5 Ab [Presence]", True, "2026-09-20"),
            medication_request(
                pid, "pred-1", "8640", "prednisone 60 MG", "2026-10-25", dose_mg_per_day=60
            ),
            lab(pid, "fvc-1", "19870-5", "FVC % predicted", 78, "%", "2026-09-25"),
            lab(pid, "fvc-2", "19870-5", "FVC % predicted", 64, "%", "2026-11-05"),
            measure_flag(
                pid,
                "ild-prog-1",
                "ild-progression",
                "ILD radiological progression",
                True,
                "2026-11-05",
            ),
            _ck(pid, "ck-1", 95, "2026-11-05", 176),
            _mmt(pid, "mmt-1", 76, "2026-11-05"),
            _edema(pid, False, "2026-10-01"),
            _tsh(pid),
        ],
        expected_findings=["urgent-escalation"],
    )


def _activity_vs_damage() -> Scenario:
    pid = "syn-borderline-ck"
    return Scenario(
        name="reassess-activity-vs-damage",
        description="Anti-Jo-1 polymyositis, persistent weakness after 36 weeks of first line; "
        "CK only borderline (1.2x ULN), MRI without edema or fat: activity or damage is unclear.",
        patient_id=pid,
        resources=[
            patient(pid, "1966-05-30", "male", "Synthetic", "Otto"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.20",
                "Polymyositis, organ involvement unspecified",
                "2026-01-10",
            ),
            antibody(
                pid,
                "jo1-1",
                LOINC,
                "5234-0",
                "Jo-1 Ab [Presence] by Immunoassay",
                True,
                "2026-01-12",
            ),
            *_first_line(pid, "2026-02-15", "azathioprine"),
            _ck(pid, "ck-1", 400, "2026-09-10"),
            _ck(pid, "ck-2", 405, "2026-11-01"),
            _mmt(pid, "mmt-1", 64, "2026-09-10"),
            _mmt(pid, "mmt-2", 64, "2026-11-01"),
            _edema(pid, False),
            mri_fatty(pid, "mri-fat-1", "none", "2026-10-10"),
            _tsh(pid),
        ],
        expected_findings=["reassess-activity-vs-damage"],
    )


def _damage() -> Scenario:
    pid = "syn-damage"
    return Scenario(
        name="weakness-likely-damage",
        description="Anti-PL-12 polymyositis after 17 months of first line: enzymes repeatedly "
        "normal, fatty replacement without edema, stable weakness: damage, rehabilitate.",
        patient_id=pid,
        resources=[
            patient(pid, "1960-10-02", "female", "Synthetic", "Ruth"),
            condition(pid, "pm-1", ICD10CM, "M33.22", "Polymyositis with myopathy", "2025-05-01"),
            antibody(pid, "pl12-1", LOINC, "33771-7", "PL-12 Ab [Presence]", True, "2025-05-05"),
            *_first_line(pid, "2025-06-01"),
            _ck(pid, "ck-1", 90, "2026-09-01", 176),
            _ck(pid, "ck-2", 110, "2026-11-01", 176),
            _mmt(pid, "mmt-1", 58, "2026-09-01"),
            _mmt(pid, "mmt-2", 58, "2026-11-01"),
            _edema(pid, False),
            mri_fatty(pid, "mri-fat-1", "moderate", "2026-10-10"),
            _tsh(pid),
        ],
        expected_findings=["weakness-likely-damage"],
    )


def _seronegative() -> Scenario:
    pid = "syn-seronegative"
    negatives = [
        ("jo1-1", LOINC, "5234-0", "Jo-1 Ab [Presence] by Immunoassay"),
        ("srp-1", LOINC, "33921-8", "Signal recognition particle Ab [Presence]"),
        ("mda5-1", LOINC, "107563-9", "MDA5 Ab [Presence]"),
        ("tif1-1", LOINC, "107562-1", "TIF1 gamma Ab [Presence]"),
        ("mi2-1", LOINC, "82997-8", "Mi-2 alpha IgG Ab [Presence] by Line blot"),
        ("hmgcr-1", ANTIBODIES, "hmgcr", "Anti-HMGCR antibody"),
    ]
    return Scenario(
        name="reassess-diagnosis-seronegative",
        description="Young man labelled polymyositis: every myositis antibody negative, no STIR "
        "edema, no biopsy, CK high: escalation is possible, but the diagnosis needs review.",
        patient_id=pid,
        resources=[
            patient(pid, "1991-03-14", "male", "Synthetic", "Liam"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.20",
                "Polymyositis, organ involvement unspecified",
                "2025-12-01",
            ),
            *[
                antibody(pid, rid, system, code, display, False, "2025-12-05")
                for rid, system, code, display in negatives
            ],
            *_first_line(pid, "2026-01-10"),
            _ck(pid, "ck-1", 1300, "2026-09-01"),
            _ck(pid, "ck-2", 1250, "2026-11-01"),
            _mmt(pid, "mmt-1", 66, "2026-11-01"),
            _edema(pid, False),
            mri_fatty(pid, "mri-fat-1", "mild", "2026-10-10"),
            _tsh(pid),
        ],
        expected_findings=["escalate-second-line", "reassess-diagnosis"],
    )


def _ibm() -> Scenario:
    pid = "syn-ibm"
    return Scenario(
        name="suspect-ibm",
        description="Man of 68 treated as polymyositis: anti-cN1A positive, finger-flexor "
        "weakness, no response to methotrexate: suspect IBM; no escalation.",
        patient_id=pid,
        resources=[
            patient(pid, "1958-06-19", "male", "Synthetic", "Walter"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.20",
                "Polymyositis, organ involvement unspecified",
                "2025-08-01",
            ),
            antibody(pid, "cn1a-1", ANTIBODIES, "cn1a", "Anti-cN1A antibody", True, "2026-06-01"),
            *_first_line(pid, "2025-09-01"),
            _ck(pid, "ck-1", 700, "2026-09-01"),
            _ck(pid, "ck-2", 690, "2026-11-01"),
            _mmt(pid, "mmt-1", 60, "2026-11-01"),
            measure_flag(
                pid, "ffw-1", "finger-flexor-weakness", "Finger flexor weakness", True, "2026-11-01"
            ),
            _edema(pid, True),
            _tsh(pid),
        ],
        expected_findings=["suspect-ibm"],
    )


def _steroid_myopathy() -> Scenario:
    pid = "syn-steroid-myopathy"
    return Scenario(
        name="suspect-steroid-myopathy",
        description="Anti-Mi-2 dermatomyositis on prednisone 40 mg for 24 weeks: MMT-8 fallen "
        "8 points from its best while CK normalised, no edema, neck flexors stable.",
        patient_id=pid,
        resources=[
            patient(pid, "1971-12-08", "female", "Synthetic", "Nora"),
            condition(pid, "dm-1", SNOMED, "396230008", "Dermatomyositis", "2026-05-01"),
            antibody(
                pid,
                "mi2-1",
                LOINC,
                "82997-8",
                "Mi-2 alpha IgG Ab [Presence] by Line blot",
                True,
                "2026-05-05",
            ),
            medication_request(
                pid, "pred-1", "8640", "prednisone 40 MG", "2026-06-01", dose_mg_per_day=40
            ),
            medication_request(pid, "met-1", "6851", "methotrexate oral", "2026-06-01"),
            _ck(pid, "ck-1", 300, "2026-07-01", 176),
            _ck(pid, "ck-2", 120, "2026-09-15", 176),
            _ck(pid, "ck-3", 100, "2026-11-01", 176),
            _mmt(pid, "mmt-1", 72, "2026-07-15"),
            _mmt(pid, "mmt-2", 64, "2026-11-01"),
            measure_number(
                pid,
                "neck-1",
                "neck-flexor-strength",
                "Neck flexor strength",
                8,
                "{score}",
                "2026-07-15",
            ),
            measure_number(
                pid,
                "neck-2",
                "neck-flexor-strength",
                "Neck flexor strength",
                8,
                "{score}",
                "2026-11-01",
            ),
            _edema(pid, False, "2026-10-20"),
            _tsh(pid),
        ],
        expected_findings=["suspect-steroid-myopathy"],
    )


def _hypothyroidism() -> Scenario:
    pid = "syn-hypothyroid"
    return Scenario(
        name="suspect-hypothyroidism",
        description="Anti-Jo-1 polymyositis, refractory and with raised CK, but TSH 14 mIU/L: "
        "hypothyroidism may explain it; no escalation until treated.",
        patient_id=pid,
        resources=[
            patient(pid, "1978-04-22", "female", "Synthetic", "Iris"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.20",
                "Polymyositis, organ involvement unspecified",
                "2026-01-05",
            ),
            antibody(
                pid,
                "jo1-1",
                LOINC,
                "5234-0",
                "Jo-1 Ab [Presence] by Immunoassay",
                True,
                "2026-01-06",
            ),
            *_first_line(pid, "2026-02-01"),
            _ck(pid, "ck-1", 950, "2026-09-01", 176),
            _ck(pid, "ck-2", 900, "2026-11-01", 176),
            _mmt(pid, "mmt-1", 63, "2026-11-01"),
            _edema(pid, True),
            _tsh(pid, 14.0, "2026-11-01"),
        ],
        expected_findings=["suspect-hypothyroidism"],
    )


def _malignancy() -> Scenario:
    pid = "syn-tif1g"
    return Scenario(
        name="malignancy-screening-anti-tif1g",
        description="Adult anti-TIF1γ dermatomyositis, refractory and active: re-screen for "
        "cancer alongside escalation.",
        patient_id=pid,
        resources=[
            patient(pid, "1965-08-09", "female", "Synthetic", "Helga"),
            condition(
                pid,
                "dm-1",
                ICD10CM,
                "M33.10",
                "Other dermatomyositis, organ involvement unspecified",
                "2026-04-01",
            ),
            antibody(
                pid, "tif1-1", LOINC, "107562-1", "TIF1 gamma Ab [Presence]", True, "2026-04-05"
            ),
            *_first_line(pid, "2026-05-01"),
            _ck(pid, "ck-1", 820, "2026-09-01", 176),
            _ck(pid, "ck-2", 990, "2026-11-01", 176),
            _mmt(pid, "mmt-1", 61, "2026-11-01"),
            _edema(pid, True),
            _tsh(pid),
        ],
        expected_findings=["escalate-second-line", "malignancy-screening"],
    )


def _workup_incomplete() -> Scenario:
    pid = "syn-workup-gaps"
    return Scenario(
        name="workup-incomplete",
        description="Polymyositis on first line for 10 months, weak, but no MRI ever, no "
        "antibody panel and a CK from March: the algorithm cannot decide; complete the work-up.",
        patient_id=pid,
        resources=[
            patient(pid, "1976-11-11", "male", "Synthetic", "Bruno"),
            condition(
                pid,
                "pm-1",
                ICD10CM,
                "M33.20",
                "Polymyositis, organ involvement unspecified",
                "2025-12-15",
            ),
            *_first_line(pid, "2026-01-05"),
            _ck(pid, "ck-1", 600, "2026-03-01"),
            _mmt(pid, "mmt-1", 60, "2026-10-30"),
        ],
        expected_findings=["workup-incomplete"],
    )


def _juvenile() -> Scenario:
    pid = "syn-jdm-active"
    return Scenario(
        name="escalate-second-line-juvenile-dm",
        description="Girl of 10 with juvenile dermatomyositis (anti-NXP2), 8 months of "
        "prednisone and methotrexate; CK above the age- and sex-specific fallback limit (no "
        "range on the result), CMAS low, STIR edema: escalate; NXP2 is no cancer flag in a child.",
        patient_id=pid,
        resources=[
            patient(pid, "2016-05-01", "female", "Synthetic", "Lily"),
            condition(
                pid,
                "jdm-1",
                ICD10CM,
                "M33.02",
                "Juvenile dermatomyositis with myopathy",
                "2026-02-10",
            ),
            antibody(
                pid, "nxp2-1", LOINC, "105528-4", "NXP2 Ab [Units/volume]", True, "2026-02-12"
            ),
            *_first_line(pid, "2026-03-01"),
            _ck(pid, "ck-1", 700, "2026-09-01", None),
            _ck(pid, "ck-2", 820, "2026-11-01", None),
            measure_number(pid, "cmas-1", "cmas", "CMAS", 30, "{score}", "2026-11-01"),
            _edema(pid, True),
            _tsh(pid),
        ],
        expected_findings=["escalate-second-line"],
    )


def _urgent_with_mimic() -> Scenario:
    pid = "syn-mda5-hypothyroid"
    base = _urgent_mda5()
    resources = [r for r in base.resources if r["resourceType"] != "Patient"]
    resources = [
        {**r, "subject": {"reference": f"Patient/{pid}"}} if "subject" in r else r
        for r in resources
        if r.get("id") != "tsh-1"
    ]
    return Scenario(
        name="precedence-urgent-escalation-never-suppressed",
        description="Anti-MDA5 rapidly progressive ILD in a patient whose TSH is also high: the "
        "hypothyroidism card appears, and the urgent escalation is not suppressed by it.",
        patient_id=pid,
        resources=[
            patient(pid, "1985-02-02", "female", "Synthetic", "Alba"),
            *resources,
            _tsh(pid, 12.0, "2026-11-05"),
        ],
        expected_findings=["suspect-hypothyroidism", "urgent-escalation"],
    )


def _no_iim() -> Scenario:
    pid = "syn-no-myositis"
    return Scenario(
        name="no-findings-without-myositis",
        description="A patient on atorvastatin with hypothyroidism history resolved and no "
        "myositis diagnosis or antibody: nothing to say.",
        patient_id=pid,
        resources=[
            patient(pid, "1959-01-17", "male", "Synthetic", "Frank"),
            condition(
                pid,
                "hypo-1",
                SNOMED,
                "40930008",
                "Hypothyroidism",
                "2019-01-01",
                clinical_status="resolved",
            ),
            medication_request(pid, "atorva-1", "83367", "atorvastatin 20 MG", "2020-01-01"),
            _ck(pid, "ck-1", 150, "2026-10-01"),
            _tsh(pid, 2.5, "2026-10-01"),
        ],
        expected_findings=[],
    )


def _order_pair(
    name: str,
    description: str,
    base: Scenario,
    drafts: list[JsonObject],
    selected: list[str],
    expected: list[str],
) -> list[Scenario]:
    """The same ordering session at order-select (``selected`` chosen) and at order-sign."""
    select = Scenario(
        name=f"{name}-order-select",
        description=description,
        patient_id=base.patient_id,
        resources=base.resources,
        expected_findings=expected,
        hook="order-select",
        draft_orders=drafts,
        selections=[f"MedicationRequest/{rid}" for rid in selected],
    )
    sign = replace(select, name=f"{name}-order-sign", hook="order-sign", selections=None)
    return [select, sign]


def _draft(pid: str, rid: str, rxnorm: str | None, name: str) -> JsonObject:
    return medication_request(
        pid, rid, rxnorm, name, "2026-11-15", status="draft", intent="proposal"
    )


def _hmgcr_no_statin() -> Scenario:
    pid = "syn-hmgcr-active"
    base = _statin_hmgcr()
    resources = [
        {**r, "subject": {"reference": f"Patient/{pid}"}}
        for r in base.resources
        if r["resourceType"] != "Patient" and r["id"] != "atorva-1"
    ]
    return replace(
        base,
        patient_id=pid,
        resources=[patient(pid, "1958-09-09", "male", "Synthetic", "Arthur"), *resources],
    )


def _as_patient(base: Scenario, pid: str, birth: str, sex: str, given: str) -> Scenario:
    resources = [
        {**r, "subject": {"reference": f"Patient/{pid}"}}
        for r in base.resources
        if r["resourceType"] != "Patient"
    ]
    return replace(
        base, patient_id=pid, resources=[patient(pid, birth, sex, "Synthetic", given), *resources]
    )


def _order_scenarios() -> list[Scenario]:
    hmgcr = _hmgcr_no_statin()
    pid = hmgcr.patient_id
    statin_drafts = [
        _draft(pid, "draft-atorva", "83367", "atorvastatin 20 MG Oral Tablet"),
        _draft(pid, "draft-ck", None, "paracetamol 500 MG Oral Tablet"),
    ]
    ivig_drafts = [_draft(pid, "draft-ivig", None, "Immune globulin intravenous 10% 2 g/kg")]

    ibm = _as_patient(_ibm(), "syn-ibm-ordering", "1957-03-03", "male", "Albert")
    ibm_drafts = [_draft(ibm.patient_id, "draft-ivig", None, "Octagam 10% IV")]

    dm = _escalate_second_line_dm()
    dm_tac = _as_patient(dm, "syn-dm-on-tacrolimus", "1973-05-05", "female", "Greta")
    dm_tac = replace(
        dm_tac,
        resources=[
            *dm_tac.resources,
            medication_request(
                dm_tac.patient_id, "tac-1", "42316", "tacrolimus 1 MG capsule", "2026-09-01"
            ),
        ],
    )
    dup_drafts = [_draft(dm_tac.patient_id, "draft-csa", "3008", "ciclosporin 100 MG capsule")]

    dm_rtx = _as_patient(dm, "syn-dm-rituximab-early", "1970-10-10", "female", "Paula")
    rtx_drafts = [_draft(dm_rtx.patient_id, "draft-rtx", "121191", "rituximab 1000 MG IV")]

    return [
        *_order_pair(
            "order-statin-with-hmgcr",
            "A statin drafted (with an unrelated analgesic) for an anti-HMGCR patient.",
            hmgcr,
            statin_drafts,
            ["draft-atorva"],
            ["order-statin-with-hmgcr"],
        ),
        *_order_pair(
            "order-ivig-appropriate-hmgcr",
            "IVIG drafted for an active, refractory anti-HMGCR patient: appropriate; the subtype "
            "evidence is shown and no escalation warning is raised.",
            hmgcr,
            ivig_drafts,
            ["draft-ivig"],
            ["order-line-guidance"],
        ),
        *_order_pair(
            "order-escalation-not-supported-ibm",
            "IVIG drafted while inclusion body myositis is suspected: escalation not supported.",
            ibm,
            ibm_drafts,
            ["draft-ivig"],
            ["order-escalation-not-supported"],
        ),
        *_order_pair(
            "order-duplicate-calcineurin-inhibitor",
            "Ciclosporin drafted for a patient already on tacrolimus: duplicate class.",
            dm_tac,
            dup_drafts,
            ["draft-csa"],
            ["order-duplicate-immunosuppressant"],
        ),
        *_order_pair(
            "order-rituximab-before-second-line",
            "Rituximab drafted for refractory DM with no second-line trial yet: line guidance.",
            dm_rtx,
            rtx_drafts,
            ["draft-rtx"],
            ["order-line-guidance"],
        ),
        Scenario(
            name="order-select-nothing-applies",
            description="Only an analgesic is selected for the anti-HMGCR patient: no card.",
            patient_id=pid,
            resources=hmgcr.resources,
            expected_findings=[],
            hook="order-select",
            draft_orders=statin_drafts,
            selections=["MedicationRequest/draft-ck"],
        ),
    ]


def all_scenarios() -> list[Scenario]:
    from tools.scenarios_mimics_activity import mimic_and_activity_scenarios  # imports this
    from tools.scenarios_therapy import therapy_scenarios  # imports this module

    return [
        _statin_hmgcr(),
        _quiet(),
        _escalate_second_line_dm(),
        _escalate_third_line_srp(),
        _urgent_mda5(),
        _activity_vs_damage(),
        _damage(),
        _seronegative(),
        _ibm(),
        _steroid_myopathy(),
        _hypothyroidism(),
        _malignancy(),
        _workup_incomplete(),
        _juvenile(),
        _urgent_with_mimic(),
        _no_iim(),
        *_order_scenarios(),
        *mimic_and_activity_scenarios(),
        *therapy_scenarios(),
    ]
