"""The fixture patients on the real clock: their dates are relative to an anchor day.

The synthetic charts of ``fixtures/scenarios/`` were written as of ``FIXTURE_ANCHOR`` (their
``expected.json`` names it as ``evaluationDate``). Wherever development mode serves or prints
them (the embedded FHIR endpoint, the ready-made requests, ``myositis-cds evaluate``,
``myositis-cds fixtures load``), every date is moved by the days between the anchor and the
evaluation day, so that a chart is exactly as current on any day as it was when written:
intervals, ages (``birthDate`` moves too) and the order of events stay the same.

Only FHIR date-typed members are moved, recognised by their names (``effectiveDateTime``,
``birthDate``, ``authoredOn``, ``start``/``end`` of a Period, ...): a code such as ``"2093"``
is left alone. Partial dates keep their precision (``2024-03`` moves with its first day).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

__all__ = ["FIXTURE_ANCHOR", "days_from_anchor", "shift_dates"]

FIXTURE_ANCHOR = date(2026, 11, 15)

# Members of FHIR R4 that hold a date, dateTime or instant, besides the ``*Date``,
# ``*DateTime`` and ``*Instant`` choice and element names.
_DATE_MEMBERS = frozenset(
    {
        "authoredOn",
        "issued",
        "recorded",
        "date",
        "start",
        "end",
        "lastUpdated",
        "whenHandedOver",
        "whenPrepared",
        "dateAsserted",
        "asserted",
        "occurrenceDateTime",
    }
)
_DATE_SUFFIXES = ("Date", "DateTime", "Instant")
_DATE_VALUE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(.*)", re.DOTALL)


def days_from_anchor(evaluation_day: date) -> int:
    """How far the fixtures move so that their anchor falls on ``evaluation_day``."""
    return (evaluation_day - FIXTURE_ANCHOR).days


def shift_dates(value: Any, days: int) -> Any:
    """A copy of a FHIR JSON value with every date-typed member moved by ``days``."""
    if days == 0:
        return value
    return _walk(value, days, dated=False)


def _walk(value: Any, days: int, *, dated: bool) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, days, dated=_is_date_member(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, days, dated=dated) for v in value]
    if dated and isinstance(value, str):
        return _shift_text(value, days)
    return value


def _is_date_member(name: str) -> bool:
    return name in _DATE_MEMBERS or name.endswith(_DATE_SUFFIXES)


def _shift_text(text: str, days: int) -> str:
    """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a dateTime/instant (its time kept as is)."""
    match = _DATE_VALUE.fullmatch(text)
    if match is None:
        return text
    year, month, day, rest = match.groups()
    if rest and (day is None or not rest.startswith("T")):
        return text  # not a FHIR date: leave it alone
    try:
        moved = date(int(year), int(month or 1), int(day or 1)) + timedelta(days=days)
    except (ValueError, OverflowError):
        return text
    if day is not None:
        return moved.isoformat() + rest
    if month is not None:
        return f"{moved.year:04d}-{moved.month:02d}"
    return f"{moved.year:04d}"
