"""A medication dose written the way it was ordered: amount, unit and timing.

docs/clinical-logic.md, "How doses are shown": a dose is shown as ordered ("20 mg once
weekly"), never as a derived daily figure. Weekly methotrexate shown per day is a known cause
of fatal overdoses. The engine's mg/day (for the glucocorticoid thresholds only) is computed
separately (``medications._daily_dose_mg``).
"""

from __future__ import annotations

from typing import Any

from cds_service.fhir.extract import raw

_TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times"}
_PER = {"d": "daily", "wk": "weekly", "mo": "monthly", "a": "yearly"}
_UNIT_NAMES = {
    "s": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "d": ("day", "days"),
    "wk": ("week", "weeks"),
    "mo": ("month", "months"),
    "a": ("year", "years"),
}
# HL7 timing abbreviations (v3-GTSAbbreviation) that a record may carry instead of a repeat.
_TIMING_CODES = {
    "QD": "once daily",
    "BID": "twice daily",
    "TID": "three times daily",
    "QID": "four times daily",
    "QOD": "every other day",
    "WK": "once weekly",
    "MO": "once monthly",
    "AM": "once daily in the morning",
    "PM": "once daily in the evening",
}


def _number(value: float) -> str:
    return f"{value:g}"


def amount_text(quantity: dict[str, Any]) -> str:
    """ "20 mg" from a Quantity; "" when it has no value."""
    value = raw.number(quantity, "value")
    if value is None:
        return ""
    unit = (raw.text(quantity, "unit") or raw.text(quantity, "code")).strip()
    return f"{_number(value)} {unit}".strip()


def timing_text(timing: dict[str, Any]) -> str:
    """ "once weekly", "twice daily", "every 4 weeks"; "" when the timing says nothing."""
    repeat = raw.obj(timing, "repeat")
    period = raw.number(repeat, "period")
    unit = raw.text(repeat, "periodUnit")
    if period and period > 0 and unit in _UNIT_NAMES:
        frequency = int(raw.number(repeat, "frequency") or 1)
        if period == 1 and unit in _PER:
            times = _TIMES.get(frequency, f"{frequency} times")
            return f"{times} {_PER[unit]}"
        single, plural = _UNIT_NAMES[unit]
        every = f"every {single}" if period == 1 else f"every {_number(period)} {plural}"
        return every if frequency == 1 else f"{_TIMES.get(frequency, f'{frequency} times')} {every}"
    for _, code, display in raw.codings(raw.obj(timing, "code")):
        if code.upper() in _TIMING_CODES:
            return _TIMING_CODES[code.upper()]
        if display:
            return display
    return raw.text(raw.obj(timing, "code"), "text").strip()


def dose_as_ordered(dosage: dict[str, Any], kind: str) -> str:
    """The dose of one dosage step as ordered, or the step's own text when not structured."""
    if kind == "MedicationAdministration":
        return amount_text(raw.obj(dosage, "dose")) or raw.text(dosage, "text").strip()
    rate: object = next(iter(raw.items(dosage, "doseAndRate")), {})
    amount = amount_text(raw.obj(rate, "doseQuantity"))
    timing = timing_text(raw.obj(dosage, "timing"))
    written = raw.text(dosage, "text").strip()
    if amount and timing:
        return f"{amount} {timing}"
    return written or " ".join(part for part in (amount, timing) if part)
