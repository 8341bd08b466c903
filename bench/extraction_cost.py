"""Extraction cost per relevant and per irrelevant Observation (synthetic prefetches).

    python -m bench.extraction_cost

For 50, 500 and 5000 Observations (about 10 % relevant: CK results), prints the time per
Observation of an all-irrelevant and an all-relevant prefetch, and the cost of validating one
Observation with fhir.resources for comparison. Target: irrelevant at least 10x below that.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from fhir.resources.R4B.observation import Observation

from cds_service.fhir.extract import extract_facts
from cds_service.terminology import DEFAULT_MAPPINGS_DIR, load_terminology

TODAY = date(2024, 6, 1)
IRRELEVANT_LOINC = ("2345-7", "718-7", "2160-0", "2951-2", "6690-2", "777-3", "1975-2")


def observation(index: int, relevant: bool) -> dict[str, Any]:
    code = "2157-6" if relevant else IRRELEVANT_LOINC[index % len(IRRELEVANT_LOINC)]
    return {
        "resourceType": "Observation",
        "id": f"o{index}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": "test"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": f"2024-0{1 + index % 9}-1{index % 10}T08:00:00Z",
        "valueQuantity": {
            "value": 50 + index % 400,
            "unit": "U/L",
            "system": "http://unitsofmeasure.org",
            "code": "U/L",
        },
        "referenceRange": [{"high": {"value": 200, "unit": "U/L"}}],
    }


def per_item_seconds(run: Callable[[], object], items: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best / max(items, 1)


def main() -> None:
    terminology = load_terminology(DEFAULT_MAPPINGS_DIR)
    sample = observation(0, True)
    validate_cost = per_item_seconds(partial(Observation.model_validate, sample), 1, 200)
    print(f"fhir.resources validation of one Observation: {validate_cost * 1e6:8.1f} us")
    rng = random.Random(7)
    for size in (50, 500, 5000):
        mixed = [observation(i, rng.random() < 0.1) for i in range(size)]
        relevant = [o for o in mixed if o["code"]["coding"][0]["code"] == "2157-6"]
        irrelevant = [o for o in mixed if o["code"]["coding"][0]["code"] != "2157-6"]
        repeats = 20 if size < 5000 else 5
        cost_irrelevant = per_item_seconds(
            partial(extract_facts, irrelevant, terminology, TODAY),
            len(irrelevant),
            repeats,
        )
        cost_relevant = per_item_seconds(
            partial(extract_facts, relevant, terminology, TODAY),
            len(relevant),
            repeats,
        )
        cost_mixed = per_item_seconds(
            partial(extract_facts, mixed, terminology, TODAY), size, repeats
        )
        print(
            f"{size:5d} Observations ({len(relevant):4d} relevant): "
            f"irrelevant {cost_irrelevant * 1e6:6.2f} us, relevant {cost_relevant * 1e6:7.1f} us, "
            f"whole prefetch {cost_mixed * size * 1e3:7.2f} ms; "
            f"validation / irrelevant = {validate_cost / cost_irrelevant:5.0f}x"
        )


if __name__ == "__main__":
    main()
