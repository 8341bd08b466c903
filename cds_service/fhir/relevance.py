"""Which resources of a prefetch are worth handing on, decided from raw codings.

A chart's Observations are mostly routine labs and vital signs the engine never reads. The
prefetch intake (``cdshooks/prefetch.py``) asks ``RelevanceFilter.keep`` once per resource,
in the same loop that reads the Bundle, and drops the others before anything else looks at
them (the patient check, extraction, validation). An Observation is kept when one of its
``code`` codings is in the terminology tables, the same test the extraction makes
(``Terminology.is_relevant``), answered from a precomputed set. Other resource types are few
per chart and their relevance needs more than a code (a medication named only in text), so
they are handed on and the extraction decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds_service.terminology import Terminology
from cds_service.terminology.systems import ICD10CM, normalise_code


class RelevanceFilter:
    def __init__(self, terminology: Terminology) -> None:
        self._known = frozenset(terminology.codings)

    def keep(self, resource: Mapping[str, Any]) -> bool:
        """False only for an Observation with no coding the tables know."""
        if resource.get("resourceType") != "Observation":
            return True
        concept = resource.get("code")
        if not isinstance(concept, dict):
            return False
        codings = concept.get("coding")
        if not isinstance(codings, list):
            return False
        known = self._known
        for coding in codings:
            if not isinstance(coding, dict):
                continue
            system, code = coding.get("system"), coding.get("code")
            if not (isinstance(system, str) and isinstance(code, str)):
                continue
            if (system, code) in known:
                return True
            # The tables hold normalised codes; normalising changes only ICD-10-CM codes and
            # codes with surrounding whitespace, so the usual miss costs one set look-up.
            if (system == ICD10CM or code != code.strip()) and (
                system,
                normalise_code(system, code),
            ) in known:
                return True
        return False


_FILTERS: dict[int, tuple[Terminology, RelevanceFilter]] = {}


def relevance_filter(terminology: Terminology) -> RelevanceFilter:
    """The filter of these tables, built once (the set of known codings is precomputed)."""
    found = _FILTERS.get(id(terminology))
    if found is None or found[0] is not terminology:
        found = (terminology, RelevanceFilter(terminology))
        _FILTERS[id(terminology)] = found
    return found[1]
