"""A finding's weekly acceptance and override rates as an SVG line chart, drawn server-side.

Weeks run left to right, rates 0-100 % bottom to top. A week with no cards or with a rate
that would reveal a small count (``Rate.suppressed``) has no point, and the line breaks there.
A dashed vertical marker, labelled with the version, stands at each week where a new rule
version was first seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from html import escape

from cds_service.cdshooks.feedback_report.summary import Rate, WeekPoint

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 32, 28, 36
ACCEPT_COLOUR = "#1b7f3b"
OVERRIDE_COLOUR = "#b3401a"
MARKER_COLOUR = "#4a4a8a"


def weekly_chart(
    title: str, points: Sequence[WeekPoint], changes: Sequence[tuple[date, str]]
) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return LEFT + (index * step if len(points) > 1 else plot_w / 2)

    def y(share: float) -> float:
        return TOP + plot_h * (1 - share)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="weekly-chart">',
        f"<title>{escape(title)}: weekly acceptance and override rates</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#ccc"/>',
    ]
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(share):.1f}" y2="{y(share):.1f}" '
            'stroke="#e3e3e3"/>'
            f'<text x="{LEFT - 6}" y="{y(share) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{int(share * 100)} %</text>"
        )
    label_every = max(1, len(points) // 8)
    for index, point in enumerate(points):
        if index % label_every == 0 or index == len(points) - 1:
            parts.append(
                f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'font-size="11">{point.week.strftime("%d %b")}</text>'
            )
    weeks = {point.week: index for index, point in enumerate(points)}
    for week, version in changes:
        if week in weeks:
            at = x(weeks[week]) - step / 2 if len(points) > 1 else x(0)
            parts.append(
                f'<line class="version-marker" x1="{at:.1f}" x2="{at:.1f}" y1="{TOP}" '
                f'y2="{TOP + plot_h}" stroke="{MARKER_COLOUR}" stroke-dasharray="6 3" '
                'stroke-width="2"/>'
                f'<text x="{at + 4:.1f}" y="{TOP + 12}" font-size="11" fill="{MARKER_COLOUR}">'
                f"rule {escape(version)}</text>"
            )
    parts.extend(_series("acceptance", ACCEPT_COLOUR, [p.acceptance for p in points], x, y))
    parts.extend(_series("override", OVERRIDE_COLOUR, [p.override for p in points], x, y))
    parts.append(
        f'<g font-size="12" transform="translate({LEFT},{TOP - 10})">'
        f'<rect width="10" height="10" y="-9" fill="{ACCEPT_COLOUR}"/>'
        '<text x="14">accepted</text>'
        f'<rect x="90" width="10" height="10" y="-9" fill="{OVERRIDE_COLOUR}"/>'
        '<text x="104">overridden</text>'
        '<text x="200" fill="#555">(share of cards shown; no point: no or fewer than 5 cards)'
        "</text></g>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _series(
    name: str,
    colour: str,
    rates: Sequence[Rate],
    x: Callable[[int], float],
    y: Callable[[float], float],
) -> list[str]:
    parts: list[str] = []
    run: list[str] = []
    for index, rate in enumerate(rates):
        value = rate.value
        if value is None or rate.suppressed:
            if len(run) > 1:
                parts.append(_polyline(name, colour, run))
            run = []
            continue
        point = f"{x(index):.1f},{y(value):.1f}"
        run.append(point)
        parts.append(
            f'<circle class="{name}-point" cx="{x(index):.1f}" cy="{y(value):.1f}" r="3.5" '
            f'fill="{colour}"><title>{name} {value:.0%} of {rate.total}</title></circle>'
        )
    if len(run) > 1:
        parts.append(_polyline(name, colour, run))
    return parts


def _polyline(name: str, colour: str, points: Sequence[str]) -> str:
    return (
        f'<polyline class="{name}-line" points="{" ".join(points)}" fill="none" '
        f'stroke="{colour}" stroke-width="2"/>'
    )
