"""Observations: each relevant Observation is dated and handed to the reader of what it
holds: ``labs``, ``antibodies`` or ``measures`` (one Observation may hold several, by its codes).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cds_service.engine.concepts import Analyte, Antibody, Measure
from cds_service.fhir.dates import parse_date, period_start
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.antibodies import read_antibody
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.labs import read_lab
from cds_service.fhir.extract.measures import read_measure

IGNORED_STATUSES = frozenset({"entered-in-error", "cancelled"})


def observation_concepts(
    resource: dict[str, Any], extraction: Extraction
) -> tuple[set[Analyte], set[Antibody], set[Measure]]:
    terminology = extraction.terminology
    analytes: set[Analyte] = set()
    antibodies: set[Antibody] = set()
    measures: set[Measure] = set()
    for system, code, _ in raw.codings(raw.obj(resource, "code")):
        if (analyte := terminology.lab(system, code)) is not None:
            analytes.add(analyte)
        elif (antibody := terminology.antibody(system, code)) is not None:
            antibodies.add(antibody)
        elif (measure := terminology.measure(system, code)) is not None:
            measures.add(measure)
    return analytes, antibodies, measures


def read_observation(resource: dict[str, Any], extraction: Extraction) -> None:
    if raw.text(resource, "status") in IGNORED_STATUSES:
        return
    reference = raw.reference_of(resource)
    effective = observation_date(resource)
    if effective is None:
        extraction.issue(reference, "observation has no effective or issued date")
        return
    analytes, antibodies, measures = observation_concepts(resource, extraction)
    for analyte in sorted(analytes):
        read_lab(resource, reference, analyte, effective, extraction)
    for antibody in sorted(antibodies):
        read_antibody(resource, reference, antibody, effective, extraction)
    for measure in sorted(measures):
        read_measure(resource, reference, measure, effective, extraction)


def observation_date(resource: dict[str, Any]) -> date | None:
    return (
        parse_date(resource.get("effectiveDateTime"))
        or period_start(resource.get("effectivePeriod"))
        or parse_date(resource.get("effectiveInstant"))
        or parse_date(resource.get("issued"))
    )
