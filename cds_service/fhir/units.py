"""Units of the analytes read, and conversion to canonical units (docs/contract.md,
"Codes the service reads").

Enzyme activities are canonical in U/L; 1 ukat/L = 60 U/L (U = umol/min, kat = mol/s).
A unit not listed here is unknown: the caller records a data issue instead of a fact.
"""

from __future__ import annotations

from functools import lru_cache

from cds_service.engine.concepts import Analyte

_ENZYME = {
    "u/l": 1.0,
    "iu/l": 1.0,
    "[iu]/l": 1.0,
    "ukat/l": 60.0,
    "µkat/l": 60.0,  # micro sign U+00B5
    "μkat/l": 60.0,  # Greek mu U+03BC
    "mukat/l": 60.0,
    "nkat/l": 0.06,
}
_MASS_NG_PER_ML = {"ng/ml": 1.0, "ug/l": 1.0, "µg/l": 1.0, "μg/l": 1.0}
_TSH = {
    "m[iu]/l": 1.0,
    "miu/l": 1.0,
    "mu/l": 1.0,
    "u[iu]/ml": 1.0,
    "uiu/ml": 1.0,
    "µiu/ml": 1.0,
    "μiu/ml": 1.0,
}
# Free T4: 1 ng/dL = 12.87 pmol/L (thyroxine 776.87 g/mol).
_FREE_T4 = {"ng/dl": 1.0, "pmol/l": 1 / 12.87}
_PERCENT = {"%": 1.0, "%predicted": 1.0}

CANONICAL: dict[Analyte, tuple[str, dict[str, float]]] = {
    Analyte.CK: ("U/L", _ENZYME),
    Analyte.LDH: ("U/L", _ENZYME),
    Analyte.ALDOLASE: ("U/L", _ENZYME),
    Analyte.AST: ("U/L", _ENZYME),
    Analyte.ALT: ("U/L", _ENZYME),
    Analyte.MYOGLOBIN: ("ng/mL", _MASS_NG_PER_ML),
    Analyte.FERRITIN: ("ng/mL", _MASS_NG_PER_ML),
    Analyte.TSH: ("mIU/L", _TSH),
    Analyte.FREE_T4: ("ng/dL", _FREE_T4),
    Analyte.FVC_PERCENT_PREDICTED: ("%", _PERCENT),
}


def canonical_unit(analyte: Analyte) -> str:
    return CANONICAL[analyte][0]


@lru_cache(maxsize=4096)  # a pure function of a few hundred distinct (analyte, unit) pairs
def conversion_factor(analyte: Analyte, unit: str) -> float | None:
    """Factor from ``unit`` to the analyte's canonical unit, or None if the unit is unknown."""
    factors = CANONICAL[analyte][1]
    return factors.get(unit.strip().replace(" ", "").casefold()) if unit else None


def quantity_units(quantity: dict[str, object]) -> tuple[str, ...]:
    """Unit candidates of a FHIR Quantity: its UCUM ``code``, then its ``unit`` text."""
    return tuple(
        value
        for value in (quantity.get("code"), quantity.get("unit"))
        if isinstance(value, str) and value.strip()
    )


def convert(analyte: Analyte, value: float, units: tuple[str, ...]) -> float | None:
    """``value`` in the analyte's canonical unit, or None when no unit given is known."""
    for unit in units:
        factor = conversion_factor(analyte, unit)
        if factor is not None:
            return value * factor
    return None
