"""Safe access to raw FHIR JSON: every getter tolerates any JSON shape and never raises.

Decoded JSON objects are plain dicts: each getter tests for ``dict`` first (a C type check)
and only then for any other ``Mapping`` (an ABC check, several times slower); the extraction
calls these getters a few hundred thousand times on a long chart.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def obj(value: object, key: str) -> dict[str, Any]:
    """``value[key]`` if both are JSON objects, else an empty dict."""
    if isinstance(value, dict) or isinstance(value, Mapping):  # noqa: SIM101 - dict first: fast
        found = value.get(key)
        if isinstance(found, dict):
            return found
    return {}


def items(value: object, key: str) -> list[Any]:
    """``value[key]`` if it is a list, else an empty list."""
    if isinstance(value, dict) or isinstance(value, Mapping):  # noqa: SIM101 - dict first: fast
        found = value.get(key)
        if isinstance(found, list):
            return found
    return []


def text(value: object, key: str) -> str:
    if isinstance(value, dict) or isinstance(value, Mapping):  # noqa: SIM101 - dict first: fast
        found = value.get(key)
        if isinstance(found, str):
            return found
    return ""


def number(value: object, key: str) -> float | None:
    """A JSON number (not a boolean) at ``value[key]``."""
    if isinstance(value, dict) or isinstance(value, Mapping):  # noqa: SIM101 - dict first: fast
        found = value.get(key)
        if isinstance(found, int | float) and not isinstance(found, bool):
            as_float = float(found)
            if as_float == as_float and abs(as_float) != float("inf"):
                return as_float
    return None


def codings(concept: object) -> Iterator[tuple[str, str, str]]:
    """(system, code, display) of each well-formed coding of a CodeableConcept."""
    for coding in items(concept, "coding"):
        system, code = text(coding, "system"), text(coding, "code")
        if system and code:
            yield system, code, text(coding, "display")


def concept_texts(concept: object) -> Iterator[str]:
    """``text`` and every coding ``display`` of a CodeableConcept."""
    if found := text(concept, "text"):
        yield found
    for coding in items(concept, "coding"):
        if display := text(coding, "display"):
            yield display


def status_codes(concept: object) -> set[str]:
    """Lower-cased codes of a status CodeableConcept (clinicalStatus, verificationStatus)."""
    return {text(c, "code").strip().lower() for c in items(concept, "coding")} - {""}


def reference_of(resource: Mapping[str, Any]) -> str:
    kind, ident = text(resource, "resourceType"), text(resource, "id")
    return f"{kind}/{ident}" if kind and ident else f"{kind or 'resource'}/(no id)"
