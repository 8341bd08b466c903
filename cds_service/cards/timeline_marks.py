"""The marks the timeline's panels are drawn with: shapes, points, rings, series, legends.

Every point carries ``data-series`` and ``data-ref``; a ring (``data-cited``) marks a result
that a card cites. ``Citations`` draws the rings and remembers which cited references got one,
so that the page can name, in words, every cited item it could not draw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

from cds_service.cards.timeline_axis import LEFT, PLOT_WIDTH


def shape(
    kind: str,
    x: float,
    y: float,
    colour: str,
    *,
    filled: bool = True,
    extra: str = "",
    title: str = "",
) -> str:
    """One marker: ``kind`` is circle, square, triangle or diamond; ``extra`` more attributes."""
    fill = colour if filled else "#fff"
    paint = f'fill="{fill}" stroke="{colour}" stroke-width="1.5"'
    if kind == "square":
        tag, geometry = "rect", f'x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"'
    elif kind == "triangle":
        tag = "polygon"
        geometry = f'points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"'
    elif kind == "diamond":
        tag = "polygon"
        geometry = (
            f'points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} '
            f'{x - 6:.1f},{y:.1f}"'
        )
    else:
        tag, geometry = "circle", f'cx="{x:.1f}" cy="{y:.1f}" r="4"'
    inner = f"<title>{escape(title)}</title>" if title else ""
    return f"<{tag} {geometry} {paint}{' ' + extra if extra else ''}>{inner}</{tag}>"


def point(
    series: str, kind: str, x: float, y: float, colour: str, title: str, reference: str
) -> str:
    extra = f'class="point" data-series="{escape(series)}" data-ref="{escape(reference)}"'
    return shape(kind, x, y, colour, extra=extra, title=title)


@dataclass(slots=True)
class Citations:
    """The references the cards cite, and those a panel has ringed so far (one drawing)."""

    cited: frozenset[str]
    ringed: set[str] = field(default_factory=set)

    def ring(self, x: float, y: float, reference: str) -> str:
        """A dashed circle around a point when ``reference`` is cited, else nothing."""
        if reference not in self.cited:
            return ""
        self.ringed.add(reference)
        return (
            f'<circle class="cited" cx="{x:.1f}" cy="{y:.1f}" r="9" fill="none" '
            f'stroke="#212f3d" stroke-width="1.5" stroke-dasharray="2 2" '
            f'data-cited="{escape(reference)}"/>'
        )

    def ring_bar(self, x: float, y: float, width: float, height: float, reference: str) -> str:
        """A dashed frame around a bar (a therapy, a draft order) when it is cited."""
        if reference not in self.cited:
            return ""
        self.ringed.add(reference)
        return (
            f'<rect class="cited" x="{x - 3:.1f}" y="{y - 3:.1f}" width="{width + 6:.1f}" '
            f'height="{height + 6:.1f}" rx="4" fill="none" stroke="#212f3d" stroke-width="1.5" '
            f'stroke-dasharray="2 2" data-cited="{escape(reference)}"/>'
        )


def series(
    name: str,
    kind: str,
    colour: str,
    points: Sequence[tuple[float, float, str, str]],
    cited: Citations,
) -> str:
    if not points:
        return ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
    parts = [
        f'<g class="series" data-series="{escape(name)}">',
        f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
        f'data-series="{escape(name)}"/>',
    ]
    for x, y, title, reference in points:
        parts.append(point(name, kind, x, y, colour, title, reference))
        parts.append(cited.ring(x, y, reference))
    parts.append("</g>")
    return "".join(parts)


def legend(
    items: Iterable[tuple[str, str, str]],
    x: float,
    y: float,
    *,
    hollow: frozenset[str] = frozenset(),
) -> str:
    """A row of (label, colour, shape) keys; labels in ``hollow`` get an open shape."""
    parts = ['<g class="legend">']
    for label, colour, kind in items:
        parts.append(shape(kind, x, y - 4, colour, filled=label not in hollow))
        parts.append(f'<text x="{x + 10:.1f}" y="{y:.1f}">{escape(label)}</text>')
        x += 14 + 7.2 * len(label) + 16
    parts.append("</g>")
    return "".join(parts)


def panel_frame(top: int, height: int, title: str, subtitle: str) -> str:
    return (
        f'<rect x="{LEFT}" y="{top}" width="{PLOT_WIDTH}" height="{height}" fill="none" '
        f'stroke="#b0bec5"/>'
        f'<text x="8" y="{top + 14}" font-weight="bold">{escape(title)}</text>'
        f'<text x="8" y="{top + 30}" fill="#555">{escape(subtitle)}</text>'
    )


# --- enzymes -----------------------------------------------------------------------------


def empty(top: int, height: int, text: str) -> str:
    return (
        f'<text class="empty" x="{LEFT + PLOT_WIDTH / 2:.1f}" y="{top + height / 2 + 4:.1f}" '
        f'text-anchor="middle" fill="#7b7d7d">{escape(text)}</text>'
    )
