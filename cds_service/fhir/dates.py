"""FHIR date, dateTime and instant strings to ``datetime.date``.

Partial dates are allowed: ``2024`` and ``2024-03`` give the first day of the year or month,
or the last when ``end=True`` (for the end of a period). Observation dates and every end use
that rule; medication *starts* pass ``latest=True`` to ``period_start`` (and ``end=True`` to
``parse_date``) so that a partial start never overstates time on therapy. A dateTime keeps the
calendar date as written in its own time zone: the clinical day the record states, not the UTC
day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T.*)?$")


def parse_date(value: object, *, end: bool = False) -> date | None:
    """The date of a FHIR date/dateTime/instant string, or None if it is not one."""
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if not match:
        return None
    year_text, month_text, day_text = match.groups()
    try:
        year = int(year_text)
        if month_text is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        month = int(month_text)
        if day_text is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last if end else 1)
        return date(year, month, int(day_text))
    except ValueError:
        return None


def period_start(period: object, *, latest: bool = False) -> date | None:
    """``Period.start``, or its end when only the end is given.

    ``latest`` reads a partial start as its last possible day (``2024-03`` -> 31 March).
    """
    if not isinstance(period, dict):
        return None
    return parse_date(period.get("start"), end=latest) or parse_date(period.get("end"), end=True)


def period_end(period: object) -> date | None:
    if not isinstance(period, dict):
        return None
    return parse_date(period.get("end"), end=True)
