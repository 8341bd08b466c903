"""The rule set, declared once.

``PATIENT_VIEW_RULES`` run on the patient's ``Assessment`` (patient-view, and the picture the
order checks see); ``ORDER_CHECKS`` run on each selected draft order (order-select,
order-sign). Every rule declares its finding codes with their card titles and display ranks
(``rule.FindingSpec``); precedence sorts by those ranks, the cards layer takes its titles from
here, and a test checks that every finding code has exactly one rule, a title, a rank and a
section in docs/clinical-logic.md. Adding a rule: its module, one line here, its docs section,
its tests.
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment
from cds_service.engine.findings import FindingCode
from cds_service.engine.order_checks import (
    duplicate_immunosuppressant,
    escalation_not_supported,
    line_guidance,
    statin_with_hmgcr,
)
from cds_service.engine.order_checks.subject import DraftAssessment
from cds_service.engine.rule import FindingSpec, Rule
from cds_service.engine.rules import (
    activity_vs_damage,
    escalate_second_line,
    escalate_third_line,
    malignancy_screening,
    reassess_diagnosis,
    statin_and_hmgcr,
    suspect_hypothyroidism,
    suspect_ibm,
    suspect_steroid_myopathy,
    urgent_escalation,
    workup_incomplete,
)

PATIENT_VIEW_RULES: tuple[Rule[Assessment], ...] = (
    statin_and_hmgcr,
    urgent_escalation,
    suspect_ibm,
    suspect_steroid_myopathy,
    suspect_hypothyroidism,
    escalate_second_line,
    escalate_third_line,
    malignancy_screening,
    reassess_diagnosis,
    activity_vs_damage,
    workup_incomplete,
)

ORDER_CHECKS: tuple[Rule[DraftAssessment], ...] = (
    statin_with_hmgcr,
    escalation_not_supported,
    duplicate_immunosuppressant,
    line_guidance,
)


ALL_RULES: tuple[Rule[Assessment] | Rule[DraftAssessment], ...] = (
    *PATIENT_VIEW_RULES,
    *ORDER_CHECKS,
)


def finding_specs() -> tuple[tuple[str, FindingSpec], ...]:
    """Every (rule id, finding spec) pair the registry declares, patient view first."""
    return tuple((rule.RULE_ID, spec) for rule in ALL_RULES for spec in rule.FINDINGS)


FINDING_SPECS: dict[FindingCode, FindingSpec] = {spec.code: spec for _, spec in finding_specs()}
FINDING_TITLES: dict[FindingCode, str] = {code: s.title for code, s in FINDING_SPECS.items()}
DISPLAY_RANK: dict[FindingCode, int] = {code: s.rank for code, s in FINDING_SPECS.items()}
