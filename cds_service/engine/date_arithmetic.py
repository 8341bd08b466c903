"""Date arithmetic for the rules: windows, weeks between days, merged exposure periods.

No clock is read here: every function takes the day it reasons about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Period:
    """A closed span of days, ``start`` to ``end`` inclusive."""

    start: date
    end: date

    @property
    def weeks(self) -> float:
        return (self.end - self.start).days / 7.0

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def weeks_between(earlier: date, later: date) -> float:
    return (later - earlier).days / 7.0


def weeks_before(today: date, weeks: int) -> date:
    return today - timedelta(weeks=weeks)


def months_before(today: date, months: int) -> date:
    """The same day of the month ``months`` earlier (clamped to the month's last day)."""
    month_index = today.year * 12 + (today.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    day = today.day
    while day > 28:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1
    return date(year, month, day)


def merge_periods(periods: Iterable[Period], gap_days: int) -> tuple[Period, ...]:
    """Union of periods; periods at most ``gap_days`` apart become one (a tapering course)."""
    ordered = sorted(periods, key=lambda p: (p.start, p.end))
    merged: list[Period] = []
    for period in ordered:
        if merged and (period.start - merged[-1].end).days <= gap_days:
            last = merged[-1]
            merged[-1] = Period(last.start, max(last.end, period.end))
        else:
            merged.append(period)
    return tuple(merged)


def intersect_periods(first: Iterable[Period], second: Iterable[Period]) -> tuple[Period, ...]:
    """Spans covered by both sets of periods."""
    second_list = list(second)
    overlaps: list[Period] = []
    for a in first:
        for b in second_list:
            start, end = max(a.start, b.start), min(a.end, b.end)
            if start <= end:
                overlaps.append(Period(start, end))
    return merge_periods(overlaps, gap_days=0)


def longest(periods: Iterable[Period]) -> Period | None:
    return max(periods, key=lambda p: (p.weeks, p.end), default=None)
