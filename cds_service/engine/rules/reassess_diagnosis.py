"""Rule reassess-diagnosis (seronegative doubt: dystrophy, metabolic myopathy, other mimics).

When: an IIM diagnosis, weakness persists past the refractory gate (first-line therapy given for
      ``refractory_weeks``), and the diagnosis rests on little: a myositis antibody panel was
      done (at least ``antibody_panel_min_specific`` myositis-specific antibodies tested; one
      negative anti-Jo-1 is not a panel) and no myositis-specific or -associated antibody is
      positive, the latest MRI shows
      no STIR edema, and no biopsy is recorded.
Then: a warning finding suggesting genetic testing or biopsy review. The 2017 EULAR/ACR score
      (docs/clinical-logic.md, "eular-acr-2017-classification-score"), where its clinical
      items are recorded, is shown as supporting evidence (score,
      column and category; no probability); it never fires the card. The card does not
      suppress escalation by itself.
Reference: docs/clinical-logic.md "reassess-diagnosis".
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.classification_eular_acr import ClassificationResult
from cds_service.engine.concepts import (
    MYOSITIS_ASSOCIATED_ANTIBODIES,
    MYOSITIS_SPECIFIC_ANTIBODIES,
)
from cds_service.engine.evidence import (
    antibody_evidence,
    derived_evidence,
    measure_evidence,
    number_text,
)
from cds_service.engine.findings import Evidence, Finding, FindingCode, Severity, Workup
from cds_service.engine.readings import BIOPSY_MEASURES, latest_mri
from cds_service.engine.rule import FindingSpec

RULE_ID = "reassess-diagnosis"
RULE_VERSION = "1.1.0"
SECTION = "reassess-diagnosis"
FINDINGS = (FindingSpec(FindingCode.REASSESS_DIAGNOSIS, "Reassess the diagnosis", rank=90),)

PANEL = MYOSITIS_SPECIFIC_ANTIBODIES | MYOSITIS_ASSOCIATED_ANTIBODIES


def evaluate(assessment: Assessment) -> tuple[Finding, ...]:
    if not assessment.has_iim or not assessment.gate.first_line_long_enough:
        return ()
    if not assessment.activity.weakness_persists:
        return ()
    panel = [a for a in assessment.latest_antibodies if a.antibody in PANEL]
    if not assessment.antibody_panel_done or assessment.positive(*PANEL):
        return ()
    mri = latest_mri(assessment.facts, assessment.today)
    if mri is None or mri.shows_edema:
        return ()
    if any(m.measure in BIOPSY_MEASURES for m in assessment.facts.measures):
        return ()
    score_rows: tuple[Evidence, ...] = ()
    if assessment.classification is not None:
        score_rows = (classification_evidence(assessment.classification, assessment),)
    return (
        Finding(
            code=FindingCode.REASSESS_DIAGNOSIS,
            severity=Severity.WARNING,
            rule_id=RULE_ID,
            rule_version=RULE_VERSION,
            reason="Seronegative, no MRI edema, no biopsy: the myositis diagnosis may be wrong.",
            evidence=(
                *assessment.activity.weakness,
                *(antibody_evidence(a) for a in panel),
                *(measure_evidence(m) for m in mri.readings),
                *score_rows,
                *assessment.diagnosis_evidence,
            ),
            reference_section=SECTION,
            workup=(Workup.MUSCLE_BIOPSY,),
        ),
    )


def classification_evidence(result: ClassificationResult, assessment: Assessment) -> Evidence:
    items = ", ".join(i.value for i in result.items) or "no item recorded"
    return derived_evidence(
        "EULAR/ACR 2017 classification score",
        f"{number_text(result.score)} ({result.column}): {result.category.value}; items: {items}",
        assessment.facts.patient_reference,
        None,
    )
