"""Which ``Observation.referenceRange`` applies to this patient (sex and age populations)."""

from __future__ import annotations

from datetime import date
from typing import Any

from cds_service.engine.concepts import Analyte, Sex
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.units import convert, quantity_units

# Reference-range populations (Observation.referenceRange.appliesTo).
_SEX_CODES = {
    "http://hl7.org/fhir/administrative-gender": {"male": Sex.MALE, "female": Sex.FEMALE},
    "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender": {
        "m": Sex.MALE,
        "f": Sex.FEMALE,
        "male": Sex.MALE,
        "female": Sex.FEMALE,
    },
}
_NORMAL_POPULATION = ("http://terminology.hl7.org/CodeSystem/referencerange-meaning", "normal")
_AGE_UNITS = {
    **dict.fromkeys(("", "a", "yr", "yrs", "y", "year", "years"), "a"),
    **dict.fromkeys(("mo", "month", "months"), "mo"),
    **dict.fromkeys(("wk", "week", "weeks"), "wk"),
    **dict.fromkeys(("d", "day", "days"), "d"),
}

_Bounds = tuple[float | None, float | None]
_MATCH, _EXCLUDED, _UNKNOWN = "match", "excluded", "unknown"


def reference_range(
    resource: dict[str, Any],
    analyte: Analyte,
    value_units: tuple[str, ...],
    extraction: Extraction,
    effective: date,
) -> tuple[float | None, float | None, bool]:
    """(low, high, ambiguous): the reference range that applies to this patient, in canonical
    units. A range whose ``appliesTo`` (sex) and ``age`` match the patient wins (the most
    specific one), then a generic range (neither given), then a sole range whose population
    cannot be checked. Otherwise the choice is ambiguous and the first range is returned (the
    caller may use the CK table instead and records a data issue)."""
    candidates: list[tuple[dict[str, Any], _Bounds]] = []
    for entry in raw.items(resource, "referenceRange"):
        bounds: list[float | None] = []
        for key in ("low", "high"):
            quantity = raw.obj(entry, key)
            value = raw.number(quantity, "value")
            units = quantity_units(quantity) or value_units
            bounds.append(None if value is None else convert(analyte, value, units))
        if bounds[0] is not None or bounds[1] is not None:
            candidates.append((entry, (bounds[0], bounds[1])))
    if not candidates:
        return None, None, False
    entry, (low, high) = candidates[0]
    if len(candidates) == 1 and "appliesTo" not in entry and "age" not in entry:
        return low, high, False  # the usual case: one generic range
    matching: list[tuple[int, _Bounds]] = []
    generic: list[_Bounds] = []
    unknown: list[_Bounds] = []
    for entry, found in candidates:
        verdicts = _population_verdicts(entry, extraction, effective)
        if not verdicts:
            generic.append(found)
        elif _EXCLUDED in verdicts:
            continue
        elif _UNKNOWN in verdicts:
            unknown.append(found)
        else:
            matching.append((len(verdicts), found))
    if matching:
        most = max(specificity for specificity, _ in matching)
        best = {found for specificity, found in matching if specificity == most}
        chosen = next(found for specificity, found in matching if specificity == most)
        return (*chosen, len(best) > 1)
    if generic:
        return (*generic[0], len(set(generic)) > 1)
    if len(unknown) == 1 and len(candidates) == 1:
        return (*unknown[0], False)  # one range sent for this patient; nothing to choose
    return low, high, True


def _population_verdicts(
    entry: dict[str, Any], extraction: Extraction, effective: date
) -> list[str]:
    """One verdict per population constraint of a reference range (none: a generic range)."""
    verdicts: list[str] = []
    for concept in raw.items(entry, "appliesTo"):
        codings = list(raw.codings(concept))
        if any((system, code) == _NORMAL_POPULATION for system, code, _ in codings):
            continue  # "normal population": no constraint
        sexes = {
            sex
            for system, code, _ in codings
            if (sex := _SEX_CODES.get(system, {}).get(code.lower())) is not None
        }
        if not sexes and raw.text(concept, "text").strip().lower() in ("male", "female"):
            sexes = {Sex(raw.text(concept, "text").strip().lower())}
        if not sexes:
            verdicts.append(_UNKNOWN)  # a population the service cannot check
        elif extraction.sex not in (Sex.MALE, Sex.FEMALE):
            verdicts.append(_UNKNOWN)
        else:
            verdicts.append(_MATCH if extraction.sex in sexes else _EXCLUDED)
    age = raw.obj(entry, "age")
    if raw.obj(age, "low") or raw.obj(age, "high"):
        verdicts.append(_age_verdict(age, extraction, effective))
    return verdicts


def _age_verdict(age: dict[str, Any], extraction: Extraction, effective: date) -> str:
    born = extraction.birth_date
    if born is None or born > effective:
        return _UNKNOWN
    for key in ("low", "high"):
        quantity = raw.obj(age, key)
        if not quantity:
            continue
        limit = raw.number(quantity, "value")
        unit = _AGE_UNITS.get((raw.text(quantity, "code") or raw.text(quantity, "unit")).lower())
        if limit is None or unit is None:
            return _UNKNOWN
        months = (effective.year - born.year) * 12 + effective.month - born.month
        months -= effective.day < born.day
        days = (effective - born).days
        patient_age = {"a": months // 12, "mo": months, "wk": days // 7, "d": days}[unit]
        if (key == "low" and patient_age < limit) or (key == "high" and patient_age > limit):
            return _EXCLUDED
    return _MATCH
