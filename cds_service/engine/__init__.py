"""The clinical engine: PURE. Facts in, findings out; no I/O, no clock, no pydantic.

``evaluate(facts, thresholds, today)`` runs every patient-view rule of the registry
(``registry.PATIENT_VIEW_RULES``) on one ``Assessment`` and applies precedence
(docs/clinical-logic.md, "precedence"). ``assess`` exposes the intermediate picture (lines,
agents given, activity, subtype, gate) and ``evaluate_assessment`` the findings for it;
``evaluate_orders`` runs the order checks (``registry.ORDER_CHECKS``) on the same picture.
"""

from __future__ import annotations

from cds_service.engine.assessment import Assessment, assess
from cds_service.engine.evaluation import evaluate, evaluate_assessment, evaluate_orders
from cds_service.engine.suppression import suppressing_codes

__all__ = [
    "Assessment",
    "assess",
    "evaluate",
    "evaluate_assessment",
    "evaluate_orders",
    "suppressing_codes",
]
