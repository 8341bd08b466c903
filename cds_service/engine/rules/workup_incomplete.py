"""Rule workup-incomplete (data gaps).

When: an IIM diagnosis and any of these gaps (each a ``gaps`` line and a ``Workup`` item):
      - no muscle enzyme (CK, LDH, aldolase, AST, ALT) within ``fresh_labs_weeks`` -> enzyme panel;
      - no strength score (MMT-8, CMAS or FI-2) within ``fresh_labs_weeks`` -> strength assessment;
      - no muscle MRI ever, or none within ``fresh_mri_months`` while weakness persists (or no
        current strength score says it does not) -> MRI;
      - no myositis antibody result ever, or an incomplete panel (fewer than
        ``antibody_panel_min_specific`` myositis-specific antibodies tested, none positive)
        -> antibody panel;
      - no TSH ever while the antibody panel is negative -> TSH;
      - the latest TSH is high but older than ``fresh_labs_weeks`` (it no longer fires
        suspect-hypothyroidism on its own) -> TSH;
      - the birth date is unknown while an adults-only finding (suspect-ibm from its clues,
        malignancy-screening) would otherwise apply -> a gap line, no order;
      - a value could not be read (an enzyme without a unit or with an unknown one, a
        non-numeric value, an unreadable antibody result, a record without a date...): each is
        a data issue, stated as a gap line (at most ``MAX_ISSUE_LINES``, then a count), never
        guessed.
Then: one info finding listing every gap; its evidence is the diagnosis and the last, stale
      value of each measurement that is out of date.
Reference: docs/clinical-logic.md "workup-incomplete".
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.concepts import (
    MUSCLE_ENZYMES,
    MYOSITIS_ASSOCIATED_ANTIBODIES,
    MYOSITIS_SPECIFIC_ANTIBODIES,
    STRENGTH_SCALE_MAXIMUM,
    Analyte,
    Measure,
)
from cds_service.engine.evidence import lab_evidence, measure_evidence
from cds_service.engine.facts import LabResult, MeasureResult
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity, Workup
from cds_service.engine.readings import lab_cutoff as labs_fresh_from
from cds_service.engine.readings import (
    labs_until,
    latest_current_enzymes,
    latest_mri,
    measures_until,
    mri_cutoff,
)
from cds_service.engine.rule import FindingSpec
from cds_service.engine.rules import malignancy_screening, suspect_ibm
from cds_service.engine.rules.suspect_hypothyroidism import stale_high_tsh

RULE_ID = "workup-incomplete"
RULE_VERSION = "1.2.1"
SECTION = "workup-incomplete"
FINDINGS = (FindingSpec(FindingCode.WORKUP_INCOMPLETE, "Work-up incomplete", rank=120),)
MAX_ISSUE_LINES = 10

PANEL = MYOSITIS_SPECIFIC_ANTIBODIES | MYOSITIS_ASSOCIATED_ANTIBODIES
STRENGTH_MEASURES: tuple[Measure, ...] = (*STRENGTH_SCALE_MAXIMUM, Measure.FI2)


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    if not assessment.has_iim:
        return ()
    facts, today, thresholds = assessment.facts, assessment.today, assessment.thresholds
    fresh_from = labs_fresh_from(thresholds, today)
    gaps: list[str] = []
    workup: list[Workup] = []
    stale: list[Evidence] = []

    if not latest_current_enzymes(facts, thresholds, today):
        gaps.append(f"No muscle enzyme within {thresholds.fresh_labs_weeks} weeks")
        workup.append(Workup.ENZYME_PANEL)
        last_labs: list[LabResult] = [
            labs[-1] for a in sorted(MUSCLE_ENZYMES) if (labs := labs_until(facts, a, today))
        ]
        stale.extend(lab_evidence(r) for r in last_labs)

    strength: list[MeasureResult] = [
        series[-1] for m in STRENGTH_MEASURES if (series := measures_until(facts, m, today))
    ]
    strength_unknown = not any(r.effective >= fresh_from for r in strength)
    if strength_unknown:
        gaps.append(
            f"No strength score (MMT-8, CMAS, FI-2) within {thresholds.fresh_labs_weeks} weeks"
        )
        workup.append(Workup.STRENGTH_ASSESSMENT)
        stale.extend(measure_evidence(r) for r in strength)

    mri = latest_mri(facts, today)
    if mri is None:
        gaps.append("No muscle MRI on record")
        workup.append(Workup.THIGH_MRI_STIR)
    elif mri.day < mri_cutoff(thresholds, today) and (
        assessment.activity.weakness_persists or strength_unknown
    ):
        # A stale MRI is no activity or damage item: while weak (or with no current strength
        # score to say otherwise) it is a gap, never a reason to escalate.
        gaps.append(f"No muscle MRI within {thresholds.fresh_mri_months} months while weak")
        workup.append(Workup.THIGH_MRI_STIR)
        stale.extend(measure_evidence(m) for m in mri.readings)

    panel = [a for a in assessment.latest_antibodies if a.antibody in PANEL]
    if not panel:
        gaps.append("No myositis antibody result on record")
        workup.append(Workup.MYOSITIS_ANTIBODY_PANEL)
    elif not assessment.antibody_panel_done:
        gaps.append(
            f"Myositis antibody panel incomplete: fewer than "
            f"{thresholds.antibody_panel_min_specific} myositis-specific antibodies tested"
        )
        workup.append(Workup.MYOSITIS_ANTIBODY_PANEL)
    elif not assessment.positive(*PANEL) and not labs_until(facts, Analyte.TSH, today):
        gaps.append("No TSH on record while the myositis antibody panel is negative")
        workup.append(Workup.TSH)

    old_tsh = stale_high_tsh(assessment)
    if old_tsh is not None:
        gaps.append(
            f"Last TSH was high but is older than {thresholds.fresh_labs_weeks} weeks: repeat it"
        )
        if Workup.TSH not in workup:
            workup.append(Workup.TSH)
        stale.append(lab_evidence(old_tsh))

    birth_date_needed = suspect_ibm.needs_birth_date(
        assessment
    ) or malignancy_screening.needs_birth_date(assessment)
    if birth_date_needed:
        gaps.append(
            "Birth date unknown: adults-only checks (suspect-ibm, malignancy-screening) "
            "could not be made"
        )

    issues = facts.issues
    for issue in issues[:MAX_ISSUE_LINES]:
        gaps.append(f"Not read, not guessed: {issue.problem} ({issue.reference})")
    if len(issues) > MAX_ISSUE_LINES:
        gaps.append(f"... and {len(issues) - MAX_ISSUE_LINES} more records not read")

    if not gaps:
        return ()
    return (
        Finding(
            code=FindingCode.WORKUP_INCOMPLETE,
            severity=Severity.INFO,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason="Data the assessment needs is missing or out of date: "
            + _summary(workup, birth_date_needed, bool(issues)),
            evidence=(*assessment.diagnosis_evidence, *stale),
            reference_section=SECTION,
            gaps=tuple(gaps),
            workup=tuple(workup),
        ),
    )


_SHORT: dict[Workup, str] = {
    Workup.ENZYME_PANEL: "enzymes",
    Workup.STRENGTH_ASSESSMENT: "strength",
    Workup.THIGH_MRI_STIR: "MRI",
    Workup.MYOSITIS_ANTIBODY_PANEL: "antibodies",
    Workup.TSH: "TSH",
}


def _summary(workup: list[Workup], birth_date: bool, unreadable: bool) -> str:
    items = [_SHORT.get(w, w.value) for w in workup]
    if birth_date:
        items.append("birth date")
    if unreadable:
        items.append("unreadable values")
    return ", ".join(items) + "."
