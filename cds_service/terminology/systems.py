"""Code system URIs the service reads and writes (docs/mappings.md)."""

from __future__ import annotations

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
MEASURES = "https://myositis-cds.org/fhir/CodeSystem/myositis-measures"
ANTIBODIES = "https://myositis-cds.org/fhir/CodeSystem/myositis-antibodies"

PROJECT_SYSTEMS: frozenset[str] = frozenset({MEASURES, ANTIBODIES})


def normalise_code(system: str, code: str) -> str:
    """The form a code is stored and looked up in.

    ICD-10-CM arrives with or without its dot (``M33.10`` / ``M3310``) and in either case; both
    are stored without the dot, upper case. Other systems are case-sensitive and only trimmed.
    """
    code = code.strip()
    if system == ICD10CM:
        return code.replace(".", "").upper()
    return code
