"""Scenarios for the firing rules on the therapy side (docs/clinical-logic.md).

Each patient is one answer the therapy rules settle: methotrexate with azathioprine as a
second-line course, a mycophenolate draft while methotrexate is given, azathioprine drafted
onto methotrexate, rituximab early in anti-SRP myopathy, a responding disease, and IVIG for
dysphagia in inclusion body myositis. The expected findings are written by hand from the rules,
with the reason in the description; ``tools.scenarios.all_scenarios`` includes them.
"""

from __future__ import annotations

from tools.fhir_builders import (
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
    patient,
)
from tools.scenarios import Scenario
from tools.scenarios import _draft as scenario_draft
from tools.scenarios import _order_pair as order_pair


def _ck(pid: str, rid: str, value: float, when: str) -> JsonObject:
    return lab(pid, rid, "2157-6", "Creatine kinase", value, "U/L", when, 176, 38)


def _mmt(pid: str, rid: str, value: float, when: str) -> JsonObject:
    return measure_number(pid, rid, "mmt8-80", "MMT-8 (0-80)", value, "{score}", when)


def _edema(pid: str, when: str = "2026-10-10") -> JsonObject:
    return measure_flag(pid, "mri-edema-1", "mri-muscle-edema", "MRI STIR muscle edema", True, when)


def _tsh(pid: str) -> JsonObject:
    return lab(pid, "tsh-1", "3016-3", "TSH", 2.0, "m[IU]/L", "2026-09-01", 4.0, 0.4)


def _mi2(pid: str) -> JsonObject:
    return antibody(
        pid,
        "mi2-1",
        LOINC,
        "82997-8",
        "Mi-2 alpha IgG Ab [Presence] by Line blot",
        True,
        "2026-01-10",
    )


def _dm(pid: str, onset: str = "2026-01-02") -> JsonObject:
    return condition(pid, "dm-1", SNOMED, "396230008", "Dermatomyositis", onset)


def _prednisone(pid: str, start: str) -> JsonObject:
    return medication_request(
        pid, "pred-1", "8640", "prednisone 20 MG Oral Tablet", start, dose_mg_per_day=20
    )


def _methotrexate(pid: str, start: str) -> JsonObject:
    return medication_request(
        pid,
        "mtx-1",
        "6851",
        "methotrexate 2.5 MG Oral Tablet",
        start,
        dose_every=(20, "mg", 1, "wk"),
    )


def _azathioprine(pid: str, start: str) -> JsonObject:
    return medication_request(
        pid,
        "aza-1",
        "1256",
        "azathioprine 50 MG Oral Tablet",
        start,
        dose_every=(100, "mg", 1, "d"),
    )


def _active_dm_on_first_line(
    pid: str, given: str, born: str, first_line_start: str
) -> list[JsonObject]:
    """Adult anti-Mi-2 DM on GC + weekly MTX, CK rising above ULN, STIR edema, MMT-8 62/80."""
    return [
        patient(pid, born, "female", "Synthetic", given),
        _dm(pid),
        _mi2(pid),
        _prednisone(pid, first_line_start),
        _methotrexate(pid, first_line_start),
        _ck(pid, "ck-1", 1500, "2026-09-01"),
        _ck(pid, "ck-2", 1900, "2026-10-20"),
        _mmt(pid, "mmt-1", 62, "2026-10-20"),
        _edema(pid),
        _tsh(pid),
    ]


def _mtx_plus_aza() -> Scenario:
    pid = "syn-dm-mtx-aza"
    return Scenario(
        name="escalate-third-line-after-mtx-plus-aza",
        description=(
            "Anti-Mi-2 DM on prednisone and weekly methotrexate since January, azathioprine "
            "added in July (19 weeks together): MTX + AZA given together for the second-line "
            "window is a second-line course, so with CK rising and STIR edema the answer is "
            "the third line (rituximab first in the default order), not the second."
        ),
        patient_id=pid,
        resources=[
            *_active_dm_on_first_line(pid, "Ingrid", "1969-03-14", "2026-01-05"),
            _azathioprine(pid, "2026-07-01"),
        ],
        expected_findings=["escalate-third-line"],
        expected_recommended={"escalate-third-line": "Rituximab"},
    )


def _responding() -> Scenario:
    pid = "syn-dm-responding-on-mtx"
    resources = _active_dm_on_first_line(pid, "Helga", "1971-06-21", "2026-03-02")
    resources.append(_mmt(pid, "mmt-0", 50, "2026-08-25"))
    return Scenario(
        name="no-escalation-responding-disease",
        description=(
            "Anti-Mi-2 DM after 37 weeks of prednisone and methotrexate, CK still high and STIR "
            "edema, but MMT-8 up from 50 to 62 of 80 within 12 weeks on this line (15 % of "
            "the scale, at least 10 %): the disease responds, so it is not refractory and no "
            "escalation is due."
        ),
        patient_id=pid,
        resources=resources,
        expected_findings=[],
    )


def _srp_rituximab_early() -> Scenario:
    pid = "syn-srp-first-line-failed"
    return Scenario(
        name="escalate-second-line-anti-srp-rituximab-early",
        description=(
            "Anti-SRP necrotizing myopathy active after 24 weeks of prednisone and methotrexate: "
            "escalate to the second line; anti-SRP disease responds best to rituximab-containing "
            "regimens, so the second-line card offers rituximab early and recommends it."
        ),
        patient_id=pid,
        resources=[
            patient(pid, "1984-11-30", "male", "Synthetic", "Oskar"),
            condition(
                pid,
                "imnm-1",
                ICD10CM,
                "G72.49",
                "Other inflammatory and immune myopathies, NEC",
                "2026-05-01",
            ),
            antibody(
                pid,
                "srp-1",
                LOINC,
                "33921-8",
                "Signal recognition particle Ab [Presence]",
                True,
                "2026-05-05",
            ),
            _prednisone(pid, "2026-06-01"),
            _methotrexate(pid, "2026-06-01"),
            lab(pid, "ck-1", "2157-6", "Creatine kinase", 7400, "U/L", "2026-10-01", 336, 52),
            lab(pid, "ck-2", "2157-6", "Creatine kinase", 8100, "U/L", "2026-11-05", 336, 52),
            _mmt(pid, "mmt-1", 54, "2026-11-05"),
            _edema(pid),
            _tsh(pid),
        ],
        expected_findings=["escalate-second-line"],
        expected_recommended={"escalate-second-line": "Rituximab"},
    )


def _started_on(
    pid: str, given: str, rid: str, rxnorm: str, name: str, start: str
) -> list[JsonObject]:
    """Adult anti-Mi-2 DM started directly on GC + a later-line agent (no MTX/AZA)."""
    return [
        patient(pid, "1966-12-01", "female", "Synthetic", given),
        _dm(pid),
        _mi2(pid),
        _prednisone(pid, start),
        medication_request(pid, rid, rxnorm, name, start),
        _ck(pid, "ck-1", 1500, "2026-09-01"),
        _ck(pid, "ck-2", 1900, "2026-10-20"),
        _mmt(pid, "mmt-1", 62, "2026-10-20"),
        _edema(pid),
        _tsh(pid),
    ]


def _started_on_rituximab() -> Scenario:
    pid = "syn-dm-started-on-rituximab"
    return Scenario(
        name="escalate-third-line-started-on-rituximab",
        description=(
            "Anti-Mi-2 DM started directly on prednisone and rituximab 20 weeks ago, still "
            "active: GC with a third-line agent for the refractory window passes the first- and "
            "second-line gates and the time counts towards the rituximab trial, so the "
            "third-line card is due, offering the other third-line agents (not rituximab)."
        ),
        patient_id=pid,
        resources=_started_on(pid, "Mona", "rtx-1", "121191", "rituximab 1000 MG IV", "2026-06-28"),
        expected_findings=["escalate-third-line"],
        expected_recommended={"escalate-third-line": "Cyclophosphamide"},
    )


def _tacrolimus_trial_running() -> Scenario:
    pid = "syn-dm-tacrolimus-trial"
    return Scenario(
        name="no-escalation-second-line-trial-in-progress",
        description=(
            "Anti-Mi-2 DM started directly on prednisone and tacrolimus 8 weeks ago, still "
            "active: a second-line trial is in progress (less than the second-line window), so "
            "neither the second- nor the third-line card is due yet."
        ),
        patient_id=pid,
        resources=_started_on(
            pid, "Petra", "tac-1", "42316", "tacrolimus 1 MG capsule", "2026-09-20"
        ),
        expected_findings=[],
    )


def _coded_ibm_with_dysphagia() -> Scenario:
    pid = "syn-ibm-dysphagia"
    return Scenario(
        name="coded-ibm-with-dysphagia",
        description="Coded inclusion body myositis with an active dysphagia Condition.",
        patient_id=pid,
        resources=[
            patient(pid, "1952-08-08", "male", "Synthetic", "Walter"),
            condition(
                pid, "ibm-1", ICD10CM, "G72.41", "Inclusion body myositis [IBM]", "2024-02-01"
            ),
            condition(
                pid,
                "dysphagia-1",
                ICD10CM,
                "R13.12",
                "Dysphagia, oropharyngeal phase",
                "2026-06-01",
            ),
            _ck(pid, "ck-1", 600, "2026-10-15"),
            _mmt(pid, "mmt-1", 58, "2026-10-15"),
            _tsh(pid),
        ],
        expected_findings=[],
    )


def _order_scenarios() -> list[Scenario]:
    dm = Scenario(
        name="base",
        description="",
        patient_id="syn-dm-ordering-mmf",
        resources=_active_dm_on_first_line(
            "syn-dm-ordering-mmf", "Ruth", "1975-01-19", "2026-04-06"
        ),
        expected_findings=[],
    )
    mmf = [
        scenario_draft(dm.patient_id, "draft-mmf", None, "mycophenolate mofetil 500 MG Oral Tablet")
    ]
    early = Scenario(
        name="base",
        description="",
        patient_id="syn-dm-ordering-aza",
        resources=_active_dm_on_first_line(
            "syn-dm-ordering-aza", "Sigrid", "1980-05-05", "2026-09-07"
        ),
        expected_findings=[],
    )
    aza = [scenario_draft(early.patient_id, "draft-aza", "1256", "azathioprine 50 MG Oral Tablet")]
    ibm = _coded_ibm_with_dysphagia()
    ivig = [scenario_draft(ibm.patient_id, "draft-ivig", None, "Immune globulin intravenous 10%")]
    tacrolimus = [scenario_draft(ibm.patient_id, "draft-tac", "42316", "tacrolimus 1 MG capsule")]
    return [
        *order_pair(
            "order-duplicate-mycophenolate-with-methotrexate",
            "Mycophenolate drafted for refractory DM still on methotrexate: both are "
            "antimetabolites, so it is a duplicate; the card says mycophenolate replaces "
            "methotrexate and the methotrexate order should be stopped.",
            dm,
            mmf,
            ["draft-mmf"],
            ["order-duplicate-immunosuppressant"],
        ),
        *order_pair(
            "order-azathioprine-with-methotrexate",
            "Azathioprine drafted onto methotrexate ten weeks into first-line therapy: MTX + "
            "AZA together is a second-line combination, not a duplicate; line guidance names it.",
            early,
            aza,
            ["draft-aza"],
            ["order-line-guidance"],
        ),
        *order_pair(
            "order-ivig-for-ibm-dysphagia",
            "IVIG drafted for coded inclusion body myositis with an active dysphagia Condition "
            "(R13.12): IVIG in IBM is for dysphagia only, so line guidance instead of an "
            "escalation warning.",
            ibm,
            ivig,
            ["draft-ivig"],
            ["order-line-guidance"],
        ),
        *order_pair(
            "order-escalation-not-supported-coded-ibm",
            "Tacrolimus drafted for coded inclusion body myositis (G72.41): IBM is not treated "
            "with immunosuppression, and dysphagia makes an exception for IVIG only.",
            ibm,
            tacrolimus,
            ["draft-tac"],
            ["order-escalation-not-supported"],
        ),
    ]


def therapy_scenarios() -> list[Scenario]:
    return [
        _mtx_plus_aza(),
        _responding(),
        _srp_rituximab_early(),
        _started_on_rituximab(),
        _tacrolimus_trial_running(),
        *_order_scenarios(),
    ]
