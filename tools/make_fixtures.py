"""Write the fixture scenarios to ``fixtures/scenarios/<name>/``.

Run ``python -m tools.make_fixtures`` after changing tools/scenarios.py.

Each scenario folder holds ``bundle.json`` (the patient's resources, a collection Bundle),
``request.json`` (a CDS Hooks request with full prefetch, as the CDS Hooks Sandbox sends it)
and ``expected.json`` (the findings a clinician expects, written by hand in scenarios.py).
"""

from __future__ import annotations

import json
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from cds_service.cdshooks.patient_prefetch import patient_prefetch
from tools.fhir_builders import JsonObject, collection
from tools.scenarios import EVALUATION_DATE, Scenario, all_scenarios

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = ROOT / "fixtures" / "scenarios"
EMBEDDED_FHIR = "http://127.0.0.1:8000/fhir"
_NAMESPACE = uuid.UUID("0b5c2a0e-4d4f-5f57-9a8e-2f6d3c9b1e77")

SERVICE_BY_HOOK = {
    "patient-view": "myositis-refractory-patient-view",
    "order-select": "myositis-order-select",
    "order-sign": "myositis-order-sign",
}


def prefetch_for(scenario: Scenario) -> JsonObject:
    return patient_prefetch(scenario.resources, scenario.patient_id)


def request_for(scenario: Scenario) -> JsonObject:
    context: JsonObject = {
        "userId": "Practitioner/syn-rheumatologist",
        "patientId": scenario.patient_id,
    }
    if scenario.hook != "patient-view":
        context["draftOrders"] = collection(scenario.draft_orders)
        if scenario.selections is not None:
            context["selections"] = scenario.selections
    return {
        "hook": scenario.hook,
        "hookInstance": str(uuid.uuid5(_NAMESPACE, scenario.name)),
        "fhirServer": EMBEDDED_FHIR,
        "context": context,
        "prefetch": prefetch_for(scenario),
    }


def expected_for(scenario: Scenario) -> JsonObject:
    return {
        "description": scenario.description,
        "service": SERVICE_BY_HOOK[scenario.hook],
        "evaluationDate": EVALUATION_DATE,
        "findings": sorted(scenario.expected_findings),
        "recommended": scenario.expected_recommended,
    }


def with_unique_ids(scenario: Scenario) -> Scenario:
    """Resource ids prefixed with the patient's, so that every fixture id is unique (a FHIR
    server loaded with all scenarios keeps them apart)."""
    prefix = scenario.patient_id + "-"

    def rename(resource: JsonObject) -> JsonObject:
        if resource["resourceType"] == "Patient" or resource["id"].startswith(prefix):
            return resource
        return {**resource, "id": prefix + resource["id"]}

    return replace(
        scenario,
        resources=[rename(r) for r in scenario.resources],
        draft_orders=[rename(r) for r in scenario.draft_orders],
        selections=(
            None
            if scenario.selections is None
            else [
                s if s.split("/", 1)[1].startswith(prefix) else s.replace("/", "/" + prefix, 1)
                for s in scenario.selections
            ]
        ),
    )


def files_for(scenario: Scenario) -> dict[str, Any]:
    scenario = with_unique_ids(scenario)
    return {
        "bundle.json": collection(scenario.resources),
        "request.json": request_for(scenario),
        "expected.json": expected_for(scenario),
    }


def render(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    for scenario in all_scenarios():
        folder = SCENARIOS_DIR / scenario.name
        folder.mkdir(parents=True, exist_ok=True)
        for filename, document in files_for(scenario).items():
            (folder / filename).write_text(render(document), encoding="utf-8")
    sys.stdout.write(f"wrote {len(all_scenarios())} scenarios to {SCENARIOS_DIR}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
