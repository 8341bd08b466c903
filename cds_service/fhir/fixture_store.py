"""The synthetic fixture patients as a read-only FHIR store (the embedded default of dev mode).

Every ``fixtures/scenarios/<name>/bundle.json`` is a Bundle of one patient's resources. The
store answers reads by type and id, and searches by patient, which is all the service's own
prefetch templates need. The files' dates are served moved to the evaluation day
(``fixture_dates``); resources put by a transaction are served as they were sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from cds_service.fhir.fixture_dates import shift_dates

JsonObject = dict[str, Any]


def _no_shift() -> int:
    return 0


class FixtureStore:
    def __init__(
        self, resources: list[JsonObject], shift_days: Callable[[], int] = _no_shift
    ) -> None:
        self._shift_days = shift_days
        self._sent: set[int] = set()  # ids of resources put by a transaction (never moved)
        self._moved: tuple[int, dict[int, JsonObject]] = (0, {})
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
    def from_directory(
        cls, fixtures_dir: Path, shift_days: Callable[[], int] = _no_shift
    ) -> FixtureStore:
        resources = [r for bundle in iter_bundles(fixtures_dir) for r in bundle_entries(bundle)]
        return cls(resources, shift_days)

    def read(self, resource_type: str, resource_id: str) -> JsonObject | None:
        found = self._by_id.get((resource_type, resource_id))
        return None if found is None else self._dated(found)

    def search(self, resource_type: str, patient_id: str) -> list[JsonObject]:
        return [self._dated(r) for r in self._by_patient.get((resource_type, patient_id), ())]

    def patients(self) -> list[JsonObject]:
        """Every Patient, ordered by id."""
        return [r for pid in self.patient_ids() if (r := self.read("Patient", pid)) is not None]

    def _dated(self, resource: JsonObject) -> JsonObject:
        """The resource as served today: a fixture's dates moved, a sent resource as sent.
        Moved copies are kept until the evaluation day changes."""
        if id(resource) in self._sent:
            return resource
        days = self._shift_days()
        if days == 0:
            return resource
        if self._moved[0] != days:
            self._moved = (days, {})
        cache = self._moved[1]
        moved = cache.get(id(resource))
        if moved is None:
            moved = cache[id(resource)] = shift_dates(resource, days)
        return moved

    def patient_ids(self) -> list[str]:
        return sorted(rid for (rtype, rid) in self._by_id if rtype == "Patient")

    def put(self, resource: JsonObject) -> bool:
        """Create or replace a resource in memory (the files are never written): an overlay
        for the dev endpoint's transactions. True when it was created, False when replaced."""
        key = (str(resource["resourceType"]), str(resource["id"]))
        previous = self._by_id.get(key)
        if previous is not None:
            self._sent.discard(id(previous))
            self._moved[1].pop(id(previous), None)
            old_patient = patient_of(previous)
            if old_patient:
                bucket = self._by_patient[(key[0], old_patient)]
                bucket[:] = [r for r in bucket if r is not previous]
        self._by_id[key] = resource
        self._sent.add(id(resource))
        patient = patient_of(resource)
        if patient:
            self._by_patient[(key[0], patient)].append(resource)
        return previous is None


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
            if isinstance(reference, str) and "Patient/" in reference:
                # relative (Patient/x) or absolute (https://server/fhir/Patient/x[/_history/n])
                tail = reference.rsplit("Patient/", 1)[1]
                return tail.split("/", 1)[0] or None
    return None


def as_transaction(bundle: JsonObject) -> JsonObject:
    """A fixture Bundle as a FHIR transaction: one ``PUT Type/id`` per resource, so that
    loading it twice leaves the server as loading it once."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"{r['resourceType']}/{r['id']}",
                "resource": r,
                "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
            }
            for r in bundle_entries(bundle)
            if isinstance(r.get("resourceType"), str) and isinstance(r.get("id"), str)
        ],
    }


class TransactionRefused(ValueError):
    """A transaction the overlay does not take; the message names the entry, not its data."""


def transaction_resources(bundle: JsonObject) -> list[JsonObject]:
    """The resources of a transaction Bundle made only of ``PUT Type/id`` entries."""
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
        raise TransactionRefused("expected a Bundle of type transaction")
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise TransactionRefused("Bundle.entry must be an array")
    resources: list[JsonObject] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(request, dict):
            raise TransactionRefused(f"entry[{index}]: needs resource and request")
        resource_type, resource_id = resource.get("resourceType"), resource.get("id")
        if not isinstance(resource_type, str) or not isinstance(resource_id, str):
            raise TransactionRefused(f"entry[{index}]: the resource needs resourceType and id")
        if request.get("method") != "PUT":
            raise TransactionRefused(f"entry[{index}]: only PUT is supported")
        if request.get("url") != f"{resource_type}/{resource_id}":
            raise TransactionRefused(f"entry[{index}]: request.url must be {resource_type}/id")
        resources.append(resource)
    return resources
