"""Structural validation of relevant resources (FHIR R4B), one at a time.

Only resources that the terminology tables make relevant reach this point; a resource that fails
becomes a data issue (its reference and a short problem, never its values). The compiled fast
path (``validate_fast.py``, ~5 µs) accepts the common shapes it can vouch for; everything else
is judged by ``fhir.resources`` (~100–130 µs), whose outcomes are cached by content. The outcome
is always the one ``fhir.resources`` gives.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import importlib
import threading
from collections.abc import Mapping
from typing import Any

import orjson

from cds_service.fhir.extract.validate_fast import surely_valid

# fhir.resources is imported on first need, not at start-up (~0.15 s of a start): the fast
# path vouches for the usual shapes, so many calls never need it.
_MODEL_MODULES = {
    "Observation": "observation",
    "Condition": "condition",
    "MedicationRequest": "medicationrequest",
    "MedicationStatement": "medicationstatement",
    "MedicationAdministration": "medicationadministration",
    "Medication": "medication",
    "Patient": "patient",
}


@functools.cache
def _model(kind: str) -> Any:
    """The fhir.resources R4B model of a resource type (None: not one the service reads)."""
    module = _MODEL_MODULES.get(kind)
    if module is None:
        return None
    return getattr(importlib.import_module(f"fhir.resources.R4B.{module}"), kind)


_CODE = {"coding": [{"system": "http://loinc.org", "code": "0-0", "display": "x"}], "text": "x"}
_QUANTITY = {"value": 1, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}
_PERIOD = {"start": "2020-01-01", "end": "2020-02-01"}
_WARM_UP: dict[str, dict[str, Any]] = {
    "Observation": {
        "resourceType": "Observation",
        "status": "final",
        "category": [_CODE],
        "code": _CODE,
        "subject": {"reference": "Patient/p"},
        "effectiveDateTime": "2020-01-01",
        "valueQuantity": _QUANTITY,
        "interpretation": [_CODE],
        "referenceRange": [{"low": _QUANTITY, "high": _QUANTITY}],
        "bodySite": _CODE,
    },
    "Condition": {
        "resourceType": "Condition",
        "clinicalStatus": _CODE,
        "verificationStatus": _CODE,
        "code": _CODE,
        "subject": {"reference": "Patient/p"},
        "onsetDateTime": "2020-01-01",
    },
    "MedicationRequest": {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": _CODE,
        "subject": {"reference": "Patient/p"},
        "authoredOn": "2020-01-01",
        "dosageInstruction": [
            {
                "text": "x",
                "timing": {"repeat": {"boundsPeriod": _PERIOD, "frequency": 1, "period": 1}},
                "doseAndRate": [{"doseQuantity": _QUANTITY}],
            }
        ],
    },
    "Patient": {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:x", "value": "x"}],
        "name": [{"family": "x", "given": ["x"]}],
        "gender": "female",
        "birthDate": "2000-01-01",
    },
}


class ValidationCache:
    """Outcomes of ``structural_problem`` by a digest of the resource's JSON, bounded.

    Validation is a pure function of the resource's content and costs ~120 µs per relevant
    Observation; a patient's history comes back on every chart opening and every order-select,
    so the same resources are validated again and again. The key is a BLAKE2b-128 digest of
    the orjson encoding (~1.5 µs); the oldest outcome is dropped first when full.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._outcomes: dict[bytes, str | None] = {}

    def __len__(self) -> int:
        return len(self._outcomes)

    def problem(self, resource: Mapping[str, Any]) -> str | None:
        try:
            encoded = orjson.dumps(resource)
        except (TypeError, orjson.JSONEncodeError):  # not plain JSON: validate, never cache
            return _validate(resource, None)
        if self.max_entries <= 0:
            return _validate(resource, encoded)
        key = hashlib.blake2b(encoded, digest_size=16).digest()
        if key in self._outcomes:
            return self._outcomes[key]
        outcome = _validate(resource, encoded)
        if len(self._outcomes) >= self.max_entries:
            del self._outcomes[next(iter(self._outcomes))]
        self._outcomes[key] = outcome
        return outcome


_CACHE = ValidationCache(0)
_FAST_PATH = True


def configure_validation_cache(max_entries: int) -> None:
    """Remember up to ``max_entries`` validation outcomes (0: validate every time)."""
    global _CACHE
    _CACHE = ValidationCache(max_entries)


def configure_fast_validation(enabled: bool) -> None:
    """Use the compiled fast path before ``fhir.resources`` (off: ``fhir.resources`` only)."""
    global _FAST_PATH
    _FAST_PATH = enabled


def warm_up_validation() -> None:
    """Import fhir.resources and validate one small resource of each type (it imports its
    element models lazily): what the first call needing the fallback would pay otherwise."""
    for kind in _MODEL_MODULES:
        with contextlib.suppress(Exception):
            _model(kind).model_validate(_WARM_UP.get(kind, {"resourceType": kind}))


def warm_up_in_background(delay_seconds: float, freeze: bool) -> threading.Timer:
    """Warm the fhir.resources fallback up in a daemon thread ``delay_seconds`` from now.

    Not at start-up: start-up stays short, and the first calls (which the fast path usually
    serves alone) do not share the processor with the import. ``freeze`` moves what the import
    made out of the collector's sight, as start-up's ``gc.freeze()`` did for the rest. Cancel
    the returned timer at shutdown.
    """

    def warm_up() -> None:
        warm_up_validation()
        if freeze:
            gc.freeze()

    timer = threading.Timer(delay_seconds, warm_up)
    timer.daemon = True
    timer.start()
    return timer


def structural_problem(resource: Mapping[str, Any]) -> str | None:
    """None when the resource is valid FHIR R4B, else a short problem (no data values)."""
    if _FAST_PATH and surely_valid(resource):
        return None
    return _CACHE.problem(resource)


def _validate(resource: Mapping[str, Any], encoded: bytes | None) -> str | None:
    """Validate in pydantic's JSON mode when the JSON text is at hand: the same rules (the
    resource came as JSON), ~1.7x faster than from the decoded dict for an Observation."""
    model = _model(str(resource.get("resourceType")))
    if model is None:
        return "unsupported resource type"
    try:
        if encoded is None:
            model.model_validate(dict(resource))
        else:
            model.model_validate_json(encoded)
    except Exception as exc:  # pydantic ValidationError and anything a bad shape provokes
        count = getattr(exc, "error_count", None)
        errors = count() if callable(count) else 1
        return f"not valid FHIR R4B {resource.get('resourceType')} ({errors} error(s))"
    return None
