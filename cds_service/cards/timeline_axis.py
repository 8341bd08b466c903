"""The time axis of the course timeline: geometry, the date-to-x mapping, month ticks.

The axis runs from the first date drawn to the evaluation date (see ``time_axis``); every
panel of ``timeline_panels`` places its marks with ``TimeAxis.x``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

__all__ = ["LEFT", "PLOT_WIDTH", "WIDTH", "TimeAxis", "time_axis", "time_grid"]

WIDTH = 1000
LEFT = 180
RIGHT = 40
PLOT_WIDTH = WIDTH - LEFT - RIGHT


@dataclass(frozen=True, slots=True)
class TimeAxis:
    start: date
    end: date

    def x(self, day: date) -> float:
        span = max((self.end - self.start).days, 1)
        return LEFT + PLOT_WIDTH * (day - self.start).days / span


LEAD_IN = timedelta(days=180)  # therapy shown before the first measurement, at most
LONGEST = timedelta(days=5 * 365)  # the longest course drawn before the evaluation date


def time_axis(measured: list[date], therapy: list[date], evaluated_on: date) -> TimeAxis:
    """From the first date drawn to the evaluation date. Therapy that began long before the
    first measurement (a statin for years, say) is clipped at the axis start, so that the
    months of the myositis course stay readable; its bar says since when."""
    days = [*measured, *therapy, evaluated_on]
    start, end = min(days), max(days)
    earliest = (min(measured) - LEAD_IN) if measured else (evaluated_on - LONGEST)
    start = max(start, earliest, evaluated_on - LONGEST)
    if (end - start).days < 60:
        start = end - timedelta(days=60)
    pad = timedelta(days=max(7, (end - start).days // 30))
    return TimeAxis(start - pad, end + pad)


def month_ticks(axis: TimeAxis) -> list[date]:
    months = (axis.end.year - axis.start.year) * 12 + axis.end.month - axis.start.month
    step = 1 if months <= 18 else 3 if months <= 48 else 12
    day = date(axis.start.year, axis.start.month, 1)
    ticks: list[date] = []
    while day <= axis.end:
        if day >= axis.start and (day.month - 1) % step == 0:
            ticks.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


def time_grid(axis: TimeAxis, top: int, bottom: int) -> str:
    parts = ['<g class="time-axis">']
    for tick in month_ticks(axis):
        x = axis.x(tick)
        label = (
            tick.strftime("%b %Y") if tick.month == 1 or tick == axis.start else tick.strftime("%b")
        )
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#eceff1"/>'
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#555">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{bottom}" x2="{LEFT + PLOT_WIDTH}" y2="{bottom}" stroke="#555"/>'
    )
    parts.append(
        f'<text x="{LEFT + PLOT_WIDTH}" y="{bottom + 34}" text-anchor="end" fill="#555">'
        f"{axis.start.isoformat()} to {axis.end.isoformat()}</text>"
    )
    parts.append("</g>")
    return "".join(parts)


# --- shapes and series -------------------------------------------------------------------
