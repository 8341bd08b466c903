"""The synthetic fixture patients as a read-only FHIR store (the embedded default of dev mode).

Every ``fixtures/scenarios/<name>/bundle.json`` is a Bundle of one patient's resources. The
store answers reads by type and id, and searches by patient, which is all the service's own
prefetch templates need.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

JsonObject = dict[str, Any]


class FixtureStore:
    def __init__(self, resources: list[JsonObject]) -> None:
        self._by_id: dict[tuple[str, str], JsonObject] = {}
        self._by_patient: dict[tuple[str, str], list[JsonObject]] = defaultdict(list)
        for resource in resources:
            resource_type = str(resource.get("resourceType", ""))
            resource_id = str(resource.get("id", ""))
            if resource_type and resource_id:
                self._by_id[(resource_type, resource_id)] = resource
            patient = patient_of(resource)
            if patient:
                self._by_patient[(resource_type, patient)].append(resource)

    @classmethod
    def from_directory(cls, fixtures_dir: Path) -> FixtureStore:
        return cls([r for bundle in iter_bundles(fixtures_dir) for r in bundle_entries(bundle)])

    def read(self, resource_type: str, resource_id: str) -> JsonObject | None:
        return self._by_id.get((resource_type, resource_id))

    def search(self, resource_type: str, patient_id: str) -> list[JsonObject]:
        return list(self._by_patient.get((resource_type, patient_id), ()))

    def patient_ids(self) -> list[str]:
        return sorted(rid for (rtype, rid) in self._by_id if rtype == "Patient")


def iter_bundles(fixtures_dir: Path) -> Iterator[JsonObject]:
    for path in sorted(fixtures_dir.glob("scenarios/*/bundle.json")):
        bundle = orjson.loads(path.read_bytes())
        if isinstance(bundle, dict):
            yield bundle


def bundle_entries(bundle: JsonObject) -> list[JsonObject]:
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        return []
    return [
        e["resource"]
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]


def patient_of(resource: JsonObject) -> str | None:
    """The id of the patient a resource is about (``subject`` or ``patient`` reference)."""
    if resource.get("resourceType") == "Patient":
        return str(resource.get("id", "")) or None
    for key in ("subject", "patient"):
        ref = resource.get(key)
        if isinstance(ref, dict):
            reference = ref.get("reference")
            if isinstance(reference, str) and reference.startswith("Patient/"):
                return reference.removeprefix("Patient/")
    return None


def searchset(resources: list[JsonObject], self_url: str) -> JsonObject:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": self_url}],
        "entry": [
            {
                "fullUrl": f"{r.get('resourceType')}/{r.get('id')}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }
