"""Extraction: FHIR resources (raw JSON) into the engine's frozen ``PatientFacts``.

The public face of the package. ``chart`` dispatches each resource to the reader of its kind:
``observations`` (which hands on to ``labs``, ``antibodies`` and ``measures``), ``conditions``,
``medications`` and ``patient``; ``draft_orders`` reads the draft orders of the order hooks.
"""

from __future__ import annotations

from cds_service.fhir.extract.chart import extract_facts

__all__ = ["extract_facts"]
