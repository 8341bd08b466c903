"""Fallback CK reference intervals by sex and age (Mayo Clinic Laboratories, U/L).

Used only when a CK result carries no ``referenceRange.high``, or an ambiguous one (see
docs/clinical-logic.md, "Fallback CK reference intervals"); no interval is established below
6 years, and none is used when sex is not male or female.
"""

from __future__ import annotations

from cds_service.engine.concepts import Sex

# (minimum age in years inclusive, maximum inclusive or None, low, high)
_BANDS: dict[Sex, tuple[tuple[int, int | None, float, float], ...]] = {
    Sex.MALE: ((18, None, 52.0, 336.0), (12, 17, 94.0, 499.0), (6, 11, 150.0, 499.0)),
    Sex.FEMALE: (
        (18, None, 38.0, 176.0),
        (15, 17, 53.0, 269.0),
        (8, 14, 91.0, 391.0),
        (6, 7, 134.0, 391.0),
    ),
}


def ck_reference_interval(sex: Sex, age_years: int | None) -> tuple[float, float] | None:
    """(low, high) in U/L for this sex and age, or None when no interval applies."""
    if age_years is None:
        return None
    for minimum, maximum, low, high in _BANDS.get(sex, ()):
        if age_years >= minimum and (maximum is None or age_years <= maximum):
            return low, high
    return None
