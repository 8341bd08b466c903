"""The order checks of order-select and order-sign (docs/clinical-logic.md, "Order checks").

When: a session's draft orders are about to be chosen or signed.
Then: each check looks at one recognised draft order (a ``DraftAssessment``: the order, the
      patient's ``Assessment`` and patient-view findings, the session's other drafts) and may
      give one finding about that order; the finding names the order in ``order_reference``.

One module per check (statin_with_hmgcr, escalation_not_supported, duplicate_immunosuppressant,
line_guidance), registered in ``engine/registry.py`` ``ORDER_CHECKS``; ``evaluate_orders`` in
``engine/evaluation.py`` runs them. order-select examines the selected orders (the others are
context: a duplicate of another draft counts); order-sign examines every draft order.
"""
