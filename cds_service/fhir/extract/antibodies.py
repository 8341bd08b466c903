"""Myositis antibody results read from an Observation into ``AntibodyResult``s.

The status (positive, negative, indeterminate) is read from the interpretation, else the coded
or free-text value, else a quantity against its reference range. A result that cannot be read
is a data issue and counts as indeterminate, so an older result never stands in for it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from cds_service.engine.concepts import Antibody, AntibodyStatus
from cds_service.engine.facts import AntibodyResult, SourceRef
from cds_service.fhir.extract import raw
from cds_service.fhir.extract.context import Extraction
from cds_service.fhir.extract.labels import antibody_label

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


def read_antibody(
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
