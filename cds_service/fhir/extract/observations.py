"""Observations: lab values, antibody results and project measures (contract.md §3)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from cds_service.engine.concepts import (
    Analyte,
    Antibody,
    AntibodyStatus,
    FattyReplacement,
    Measure,
    Sex,
)
from cds_service.engine.facts import AntibodyResult, LabResult, MeasureResult, SourceRef
from cds_service.fhir.dates import parse_date, period_start
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.ck_fallback import ck_reference_interval
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.labels import ANALYTE_LABELS, antibody_label, measure_label
from cds_service.fhir.units import canonical_unit, convert, quantity_units
from cds_service.terminology.systems import MEASURES

IGNORED_STATUSES = frozenset({"entered-in-error", "cancelled"})

_POSITIVE = frozenset({"pos", "positive", "h", "hh", "a", "aa", "detected", "+", "++", "+++"})
_NEGATIVE = frozenset({"neg", "negative", "n", "not detected", "-"})
_INDETERMINATE = frozenset({"ind", "e", "indeterminate", "equivocal", "borderline"})
# SNOMED CT qualifier values commonly used as coded results (Verhoeff-checked identifiers).
_SNOMED_RESULT = {
    "10828004": AntibodyStatus.POSITIVE,
    "260373001": AntibodyStatus.POSITIVE,
    "260385009": AntibodyStatus.NEGATIVE,
    "260415000": AntibodyStatus.NEGATIVE,
    "42425007": AntibodyStatus.INDETERMINATE,
    "82334004": AntibodyStatus.INDETERMINATE,
}
# Single letters are only read from interpretation codes, never from free text.
_TEXT_ONLY_EXCLUDED = frozenset({"h", "hh", "a", "aa", "n", "e"})
# Free-text wordings ("Weakly positive", "Positive (1:160)", "No antibody detected"), by word.
_WORDS = re.compile(r"[a-z]+|\++")
_POSITIVE_WORDS = frozenset({"positive", "pos", "detected", "reactive", "present"})
_NEGATIVE_WORDS = frozenset({"negative", "neg", "nonreactive", "absent", "undetected"})
_INDETERMINATE_WORDS = frozenset({"indeterminate", "equivocal", "borderline", "inconclusive"})
_NEGATIONS = frozenset({"not", "no", "non", "none", "negative"})
_NEGATION_REACH = 3  # "no antibodies were detected": a negation up to 3 words before
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
        _read_lab(resource, reference, analyte, effective, extraction)
    for antibody in sorted(antibodies):
        _read_antibody(resource, reference, antibody, effective, extraction)
    for measure in sorted(measures):
        _read_measure(resource, reference, measure, effective, extraction)


def observation_date(resource: dict[str, Any]) -> date | None:
    return (
        parse_date(resource.get("effectiveDateTime"))
        or period_start(resource.get("effectivePeriod"))
        or parse_date(resource.get("effectiveInstant"))
        or parse_date(resource.get("issued"))
    )


def _read_lab(
    resource: dict[str, Any],
    reference: str,
    analyte: Analyte,
    effective: date,
    extraction: Extraction,
) -> None:
    label = ANALYTE_LABELS[analyte]
    quantity = raw.obj(resource, "valueQuantity")
    value = raw.number(quantity, "value")
    if value is None:
        extraction.issue(reference, f"{label}: no numeric value")
        return
    units = quantity_units(quantity)
    converted = convert(analyte, value, units)
    if converted is None:
        extraction.issue(reference, f"{label}: unit missing or not recognised")
        return
    low, high, ambiguous = _reference_range(resource, analyte, units, extraction, effective)
    from_result = high is not None
    if analyte is Analyte.CK and (high is None or ambiguous):
        fallback = ck_reference_interval(extraction.sex, extraction.age_on(effective))
        if fallback is not None:
            low, high = fallback
            from_result = False
    if ambiguous:
        extraction.issue(reference, f"{label}: ambiguous reference range")
    comparator = raw.text(quantity, "comparator")
    unit_shown = units[0] if units else ""
    source = SourceRef(reference=reference, display=label)
    extraction.labs.append(
        LabResult(
            analyte=analyte,
            value=converted,
            unit=canonical_unit(analyte),
            effective=effective,
            source=source,
            reference_low=low,
            reference_high=high,
            range_from_result=from_result,
            reported_as=f"{comparator}{value:g} {unit_shown}".strip(),
        )
    )
    if analyte is Analyte.FVC_PERCENT_PREDICTED:
        _append_fvc_measure(extraction, converted, effective, source)


_Bounds = tuple[float | None, float | None]
_MATCH, _EXCLUDED, _UNKNOWN = "match", "excluded", "unknown"


def _reference_range(
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


def _append_fvc_measure(
    extraction: Extraction, value: float, effective: date, source: SourceRef
) -> None:
    """FVC % predicted is both a lab (Analyte) and a measure (contract.md §3): one series each."""
    extraction.measures.append(
        MeasureResult(
            measure=Measure.FVC_PERCENT_PREDICTED,
            effective=effective,
            source=SourceRef(reference=source.reference, display="FVC % predicted"),
            number=value,
            unit="%",
        )
    )


def _read_antibody(
    resource: dict[str, Any],
    reference: str,
    antibody: Antibody,
    effective: date,
    extraction: Extraction,
) -> None:
    status, reported = antibody_status(resource)
    label = antibody_label(antibody)
    if status is None:
        extraction.issue(reference, f"{label}: result could not be read as positive or negative")
        if raw.text(resource, "status") == "registered" or "dataAbsentReason" in resource:
            return  # no result yet, or none given: not a result at all
        # An unreadable result is still the latest one: never let an older result stand in.
        status, reported = AntibodyStatus.INDETERMINATE, "unreadable"
    extraction.antibodies.append(
        AntibodyResult(
            antibody=antibody,
            status=status,
            effective=effective,
            source=SourceRef(reference=reference, display=label),
            reported_as=reported,
        )
    )


def antibody_status(resource: dict[str, Any]) -> tuple[AntibodyStatus | None, str]:
    """Status by interpretation, else by coded or text value, else by quantity vs range."""
    for interpretation in raw.items(resource, "interpretation"):
        for _, code, _ in raw.codings(interpretation):
            if (status := _status_word(code, allow_letters=True)) is not None:
                return status, code
        for label in raw.concept_texts(interpretation):
            if (status := _status_word(label, allow_letters=False)) is not None:
                return status, label
    value_concept = raw.obj(resource, "valueCodeableConcept")
    for system, code, _ in raw.codings(value_concept):
        if system == "http://snomed.info/sct" and code in _SNOMED_RESULT:
            return _SNOMED_RESULT[code], code
    for label in raw.concept_texts(value_concept):
        if (status := _status_word(label, allow_letters=False)) is not None:
            return status, label
    value_text = raw.text(resource, "valueString")
    if (status := _status_word(value_text, allow_letters=False)) is not None:
        return status, value_text.strip()
    return _status_by_quantity(resource)


def _status_word(word: str, *, allow_letters: bool) -> AntibodyStatus | None:
    key = " ".join(word.strip().lower().rstrip(".").split())
    if not key or (not allow_letters and key in _TEXT_ONLY_EXCLUDED):
        return None
    if key in _POSITIVE:
        return AntibodyStatus.POSITIVE
    if key in _NEGATIVE:
        return AntibodyStatus.NEGATIVE
    if key in _INDETERMINATE:
        return AntibodyStatus.INDETERMINATE
    return None if allow_letters else _status_by_words(key)


def _status_by_words(text: str) -> AntibodyStatus | None:
    """A free-text wording read word by word: "Weakly positive", "POSITIVE 1:320" and
    "Detected (high)" are positive; "Not detected" and "No antibody detected" negative (a
    negation up to three words before a positive word); a wording that says both, or neither,
    is None."""
    words = _WORDS.findall(text)
    if any(word in _INDETERMINATE_WORDS for word in words):
        return AntibodyStatus.INDETERMINATE
    positive = negative = False
    for index, word in enumerate(words):
        if word in _NEGATIVE_WORDS:
            negative = True
        elif word in _POSITIVE_WORDS or word.startswith("+"):
            before = words[max(0, index - _NEGATION_REACH) : index]
            if any(w in _NEGATIONS for w in before):
                negative = True
            else:
                positive = True
    if positive != negative:
        return AntibodyStatus.POSITIVE if positive else AntibodyStatus.NEGATIVE
    return None


def _status_by_quantity(resource: dict[str, Any]) -> tuple[AntibodyStatus | None, str]:
    quantity = raw.obj(resource, "valueQuantity")
    value = raw.number(quantity, "value")
    if value is None:
        return None, ""
    for entry in raw.items(resource, "referenceRange"):
        high = raw.number(raw.obj(entry, "high"), "value")
        if high is not None:
            status = AntibodyStatus.POSITIVE if value > high else AntibodyStatus.NEGATIVE
            return status, f"{value:g} (upper limit {high:g})"
    return None, ""


def _read_measure(
    resource: dict[str, Any],
    reference: str,
    measure: Measure,
    effective: date,
    extraction: Extraction,
) -> None:
    label = measure_label(measure)
    value_type = extraction.terminology.measure_value_type(measure)
    source = SourceRef(reference=reference, display=label)
    body_site = next(iter(raw.concept_texts(raw.obj(resource, "bodySite"))), "")
    result: MeasureResult | None = None
    if value_type == "quantity":
        quantity = raw.obj(resource, "valueQuantity")
        number = raw.number(quantity, "value")
        if number is None:
            number = raw.number(resource, "valueInteger")
        if number is not None:
            unit = next(iter(quantity_units(quantity)), "")
            result = MeasureResult(measure, effective, source, number=number, unit=unit)
    elif value_type == "boolean":
        flag = resource.get("valueBoolean")
        if isinstance(flag, bool):
            result = MeasureResult(measure, effective, source, flag=flag, body_site=body_site)
    elif value_type == "grade":
        grade = _grade(raw.obj(resource, "valueCodeableConcept"))
        if grade is not None:
            result = MeasureResult(measure, effective, source, grade=grade, body_site=body_site)
    if result is None:
        extraction.issue(reference, f"{label}: value missing or of the wrong type")
        return
    extraction.measures.append(result)
    if measure is Measure.FVC_PERCENT_PREDICTED and result.number is not None:
        extraction.labs.append(
            LabResult(
                analyte=Analyte.FVC_PERCENT_PREDICTED,
                value=result.number,
                unit="%",
                effective=effective,
                source=SourceRef(reference=reference, display="FVC % predicted"),
            )
        )


def _grade(concept: dict[str, Any]) -> FattyReplacement | None:
    candidates = [code for system, code, _ in raw.codings(concept) if system == MEASURES]
    candidates += [code for _, code, _ in raw.codings(concept)]
    candidates += list(raw.concept_texts(concept))
    for candidate in candidates:
        try:
            return FattyReplacement(candidate.strip().lower())
        except ValueError:
            continue
    return None
