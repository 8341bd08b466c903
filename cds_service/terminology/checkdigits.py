"""Format and check-digit rules for the code systems in the tables.

- LOINC: ``NNNNN-C``, C the mod 10 check digit of LOINC (Luhn over the part before the dash).
- SNOMED CT: 6 to 18 digits, the last a Verhoeff check digit.
- ICD-10-CM: letter, digit, digit or letter, then optionally a dot and 1 to 4 characters.
- RxNorm: an RXCUI is digits only.
- Project code systems: lower-case words joined by dashes.
"""

from __future__ import annotations

import re

from cds_service.terminology.systems import ICD10CM, LOINC, PROJECT_SYSTEMS, RXNORM, SNOMED

_LOINC_FORMAT = re.compile(r"^(\d{1,7})-(\d)$")
_SNOMED_FORMAT = re.compile(r"^[1-9]\d{5,17}$")
_ICD10CM_FORMAT = re.compile(r"^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$")
_RXNORM_FORMAT = re.compile(r"^[1-9]\d{0,8}$")
_PROJECT_FORMAT = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Verhoeff tables: dihedral group D5 multiplication and the position permutation.
_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def loinc_check_digit(body: str) -> int:
    """The LOINC mod 10 check digit of the digits before the dash."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return (10 - total % 10) % 10


def is_valid_loinc(code: str) -> bool:
    match = _LOINC_FORMAT.match(code)
    if match is None:
        return False
    return loinc_check_digit(match.group(1)) == int(match.group(2))


def verhoeff_is_valid(digits: str) -> bool:
    """True when the last digit is the Verhoeff check digit of the others."""
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(char)]]
    return check == 0


def is_valid_snomed(code: str) -> bool:
    return bool(_SNOMED_FORMAT.match(code)) and verhoeff_is_valid(code)


def is_valid_icd10cm(code: str) -> bool:
    return bool(_ICD10CM_FORMAT.match(code))


def is_valid_rxnorm(code: str) -> bool:
    return bool(_RXNORM_FORMAT.match(code))


def code_problem(system: str, code: str) -> str | None:
    """Why ``code`` is not a well-formed code of ``system``, or None when it is."""
    if system == LOINC:
        if not _LOINC_FORMAT.match(code):
            return "not a LOINC code (NNNNN-C)"
        return None if is_valid_loinc(code) else "LOINC check digit is wrong"
    if system == SNOMED:
        if not _SNOMED_FORMAT.match(code):
            return "not a SNOMED CT identifier (6-18 digits)"
        return None if verhoeff_is_valid(code) else "SNOMED CT Verhoeff check digit is wrong"
    if system == ICD10CM:
        return None if is_valid_icd10cm(code) else "not an ICD-10-CM code (e.g. M33.10)"
    if system == RXNORM:
        return None if is_valid_rxnorm(code) else "RxNorm RXCUI must be digits only"
    if system in PROJECT_SYSTEMS:
        return None if _PROJECT_FORMAT.match(code) else "project code must be lower-case-dashed"
    return f"unknown code system {system}"
