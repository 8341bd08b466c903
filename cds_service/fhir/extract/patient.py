"""The Patient resource: reference, birth date and administrative sex."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds_service.engine.concepts import Sex
from cds_service.fhir.dates import parse_date
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.context import Extraction

_SEXES = {"male": Sex.MALE, "female": Sex.FEMALE, "other": Sex.OTHER, "unknown": Sex.UNKNOWN}


def read_patient(resource: Mapping[str, Any], extraction: Extraction) -> str:
    """Sets sex and birth date on the extraction; returns the patient reference."""
    extraction.sex = _SEXES.get(raw.text(resource, "gender"), Sex.UNKNOWN)
    # A birth year alone ("1970") counts from 1 January, as FHIR partial dates do here.
    extraction.birth_date = parse_date(resource.get("birthDate"))
    ident = raw.text(resource, "id")
    return f"Patient/{ident}" if ident else ""
