"""The ready-made CDS Hooks requests of the fixture scenarios, as of the evaluation day.

Each ``fixtures/scenarios/<name>/request.json`` was written as of the fixtures' anchor day and
names the embedded endpoint of a default address. Served or printed, it is moved to the
evaluation day (``fixture_dates``) and its ``fhirServer`` names the embedded endpoint at the
address actually served, so that the request with or without its prefetch gives the
scenario's expected cards on any day.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from cds_service.fhir.fixture_dates import shift_dates

__all__ = ["ready_request", "scenario_names"]

JsonObject = dict[str, Any]
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")


def scenario_names(fixtures_dir: Path) -> list[str]:
    """The scenarios that have a ready-made request, by name."""
    return sorted(p.parent.name for p in fixtures_dir.glob("scenarios/*/request.json"))


def ready_request(
    fixtures_dir: Path, name: str, *, fhir_server: str, days: int
) -> JsonObject | None:
    """The scenario's request moved by ``days``, naming ``fhir_server``; None if unknown."""
    if not _NAME.fullmatch(name):
        return None
    path = fixtures_dir / "scenarios" / name / "request.json"
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    return as_of(document, fhir_server=fhir_server, days=days)


def as_of(request: JsonObject, *, fhir_server: str, days: int) -> JsonObject:
    """A fixture request moved by ``days`` and naming ``fhir_server``."""
    moved: JsonObject = shift_dates(request, days)
    if "fhirServer" in moved:
        moved = {**moved, "fhirServer": fhir_server}
    return moved
