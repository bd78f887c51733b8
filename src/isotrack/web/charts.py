"""Charts drawn on the server as inline SVG, so they print, work offline and need no script.

Every series differs by line style and marker shape as well as by colour (Okabe-Ito hues), and
every line carries a text label, so the charts read in black and white and for colour-blind eyes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from isotrack.web.chart_scale import nice_scale, nice_ticks, tick_text

# Drawn for a phone first, like ``web.biology_charts``: a narrow view box with large type and
# every label inside it, so at 390 px wide the text stays about 13 px high and nothing is cut.
WIDTH = 400
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 34, 40
FONT = 14
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
INK = "#1b1b1b"
GRID = "#d0d3d8"
GLYPH_SHARE = 0.6  # a glyph's average width as a share of the type size (an upper estimate)
# A white outline behind text, so a label stays legible where it crosses a line.
HALO = 'stroke="#ffffff" stroke-width="4" paint-order="stroke" stroke-linejoin="round"'


@dataclass(frozen=True)
class Point:
    """One value on one day."""

    day: dt.date
    value: float


@dataclass(frozen=True)
class Threshold:
    """A horizontal reference line, e.g. the upper limit of normal or an alert grade."""

    label: str
    value: float
    severity: str = "warning"  # "warning" or "critical" picks the dash pattern


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 or value == int(value) else f"{value:.1f}"


def _text(x: float, y: float, text: str, *, anchor: str = "start", colour: str = INK,
          weight: str = "400", halo: bool = False) -> str:  # fmt: skip
    outline = f" {HALO}" if halo else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT}" '
        f'font-weight="{weight}" fill="{colour}"{outline}>{escape(text)}</text>'
    )


class _Frame:
    """Maps days and values to pixel positions for one chart."""

    def __init__(self, first: dt.date, last: dt.date, ticks: list[float]) -> None:
        self.first = first
        self.days = max((last - first).days, 1)
        self.ticks = ticks
        self.bottom_value = ticks[0]
        self.top_value = ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1.0
        self.plot_width = WIDTH - LEFT - RIGHT
        self.plot_height = HEIGHT - TOP - BOTTOM

    def x(self, day: dt.date) -> float:
        return LEFT + self.plot_width * (day - self.first).days / self.days

    def y(self, value: float) -> float:
        clipped = min(max(value, self.bottom_value), self.top_value)
        share = (clipped - self.bottom_value) / (self.top_value - self.bottom_value)
        return TOP + self.plot_height * (1 - share)

    def axes(self, y_label: str) -> list[str]:
        step = self.ticks[1] - self.ticks[0] if len(self.ticks) > 1 else 1.0
        parts: list[str] = []
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="1"/>'
                + _text(LEFT - 5, y + 5, tick_text(tick, step), anchor="end")
            )
        ticks = self._day_ticks()
        for index, day in enumerate(ticks):
            x = self.x(day)
            # The end labels sit inside the view box: the first starts at its tick, the last
            # ends at it.
            anchor = "start" if index == 0 else "end" if index == len(ticks) - 1 else "middle"
            parts.append(
                f'<line x1="{x:.1f}" y1="{HEIGHT - BOTTOM}" x2="{x:.1f}" '
                f'y2="{HEIGHT - BOTTOM + 5}" stroke="{INK}"/>'
                + _text(x, HEIGHT - BOTTOM + 21, self._day_text(day), anchor=anchor)
            )
        parts.append(
            f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="{INK}"/>'
            f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
            f'y2="{HEIGHT - BOTTOM}" stroke="{INK}"/>' + _text(4, TOP - 14, y_label, weight="600")
        )
        return parts

    def _day_text(self, day: dt.date) -> str:
        return day.strftime("%d %b %y") if self.days > 300 else day.strftime("%d %b")

    def _day_ticks(self) -> list[dt.date]:
        # Three labelled days (both ends and the middle) fit a phone's width.
        steps = 2
        return [
            self.first + dt.timedelta(days=round(self.days * i / steps)) for i in range(steps + 1)
        ]

    def today_line(self, as_of: dt.date) -> list[str]:
        x = self.x(as_of)
        right_half = x > LEFT + self.plot_width / 2
        return [
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}" '
            f'stroke="{INK}" stroke-dasharray="2 3"/>',
            _text(x - 4 if right_half else x + 4, TOP + FONT, f"today {as_of.strftime('%d %b')}",
                  anchor="end" if right_half else "start", halo=True),
        ]  # fmt: skip


def short_label(label: str) -> str:
    """A threshold's name as the line carries it: the words before any bracketed detail
    (the full label stays in the chart's description).

    >>> short_label("very high (CTCAE grade 3: above 500 up to 1000 mg/dL)")
    'very high'
    """
    return label.split(" (")[0].strip() or label


def fit(text: str, room_px: float) -> str:
    """``text`` shortened with an ellipsis so that it fits ``room_px`` at the chart's type size
    (an estimate from the average glyph width, generous for a sans-serif face)."""
    most = max(4, int(room_px / (FONT * GLYPH_SHARE)))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _label_y(y: float) -> float:
    """A label's baseline kept inside the plot (below the top, above the axis)."""
    return min(max(y, TOP + FONT), HEIGHT - BOTTOM - 4)


def _polyline(frame: _Frame, points: Sequence[Point], colour: str, dash: str | None) -> str:
    coords = " ".join(f"{frame.x(p.day):.1f},{frame.y(p.value):.1f}" for p in points)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
    )


def _circle(x: float, y: float, colour: str, filled: bool) -> str:
    fill = colour if filled else "#ffffff"
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="{colour}" '
        'stroke-width="2"/>'
    )


def _triangle(x: float, y: float, colour: str) -> str:
    return (
        f'<path d="M{x:.1f},{y - 6:.1f} L{x + 6:.1f},{y + 5:.1f} L{x - 6:.1f},{y + 5:.1f} Z" '
        f'fill="{colour}" stroke="{INK}" stroke-width="1"/>'
    )


def _svg(chart_id: str, title: str, description: str, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _right_label(frame: _Frame, value: float, text: str, colour: str, offset: float = 0) -> str:
    """A line's label at the plot's right end, just above the line, inside the view box."""
    y = _label_y(frame.y(value) - 5 + offset)
    room = frame.plot_width - 4
    return _text(WIDTH - RIGHT - 2, y, fit(text, room), anchor="end", colour=colour, halo=True)


def _point_label(frame: _Frame, point: Point, text: str, colour: str, above: bool) -> str:
    """A label beside one point, turned to the left in the plot's right half."""
    x, y = frame.x(point.day), frame.y(point.value)
    right_half = x > LEFT + frame.plot_width / 2
    room = (x - 8 - LEFT) if right_half else (WIDTH - RIGHT - x - 8)
    return _text(
        x - 8 if right_half else x + 8,
        _label_y(y - 9 if above else y + FONT + 4),
        fit(text, room),
        anchor="end" if right_half else "start",
        colour=colour,
        weight="700",
        halo=True,
    )


def cumulative_dose_chart(
    *,
    taken: Sequence[Point],
    projected: Sequence[Point],
    target_low: float | None,
    target_high: float | None,
    as_of: dt.date,
    chart_id: str = "cumulative",
) -> Markup:
    """Cumulative mg/kg taken (solid, filled dots), projection (dashed, open dots), target band.

    ``target_low``/``target_high`` may be equal (a single target) or both None (treat to
    clearance, where no band is drawn and the label says so).
    """
    all_points = [*taken, *projected]
    if not all_points:
        return _svg(
            chart_id,
            "Cumulative dose",
            "No dose has been taken yet, so there is nothing to draw.",
            [_text(WIDTH / 2, HEIGHT / 2, "No dose taken yet", anchor="middle")],
        )
    first = min(p.day for p in all_points)
    last = max(max(p.day for p in all_points), as_of)
    top = max([p.value for p in all_points] + [target_high or 0.0, target_low or 0.0])
    frame = _Frame(first, last, nice_scale(0.0, top * 1.05))
    body = [
        '<defs><pattern id="target-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="8" stroke="{GREEN}" stroke-width="3"/></pattern></defs>'
    ]
    body.extend(frame.axes("cumulative mg/kg"))
    if target_low is not None and target_high is not None:
        y_high, y_low = frame.y(target_high), frame.y(target_low)
        body.append(
            f'<rect x="{LEFT}" y="{y_high:.1f}" width="{frame.plot_width}" '
            f'height="{max(y_low - y_high, 3):.1f}" fill="url(#target-hatch)" opacity="0.55" '
            f'stroke="{GREEN}"/>'
        )
        band = (
            f"target {_fmt(target_low)} mg/kg"
            if target_low == target_high
            else f"target {_fmt(target_low)}–{_fmt(target_high)} mg/kg"
        )
        body.append(_right_label(frame, target_high, band, "#00664a"))
    else:
        body.append(_text(WIDTH - RIGHT - 2, TOP - 14, "no fixed target", anchor="end"))
    body.extend(frame.today_line(as_of))
    if taken:
        body.append(_polyline(frame, taken, BLUE, None))
        body.extend(_circle(frame.x(p.day), frame.y(p.value), BLUE, True) for p in taken)
        end = taken[-1]
        body.append(_point_label(frame, end, f"taken {_fmt(end.value)} mg/kg", BLUE, above=False))
    if projected:
        line = [taken[-1], *projected] if taken else list(projected)
        body.append(_polyline(frame, line, VERMILLION, "7 5"))
        body.extend(_circle(frame.x(p.day), frame.y(p.value), VERMILLION, False) for p in projected)
        end = projected[-1]
        text = f"projected {end.day.strftime('%d %b %Y')}"
        body.append(_point_label(frame, end, text, "#a34400", above=True))
    description = (
        f"Cumulative dose from {first.isoformat()} to {last.isoformat()}: "
        + (f"{_fmt(taken[-1].value)} mg/kg taken by {taken[-1].day.isoformat()}. " if taken else "")
        + (
            f"Projected to reach {_fmt(projected[-1].value)} mg/kg on "
            f"{projected[-1].day.isoformat()}. "
            if projected
            else ""
        )
        + (
            f"Target {_fmt(target_low)} to {_fmt(target_high)} mg/kg."
            if target_low is not None and target_high is not None
            else "No fixed cumulative target."
        )
    )
    return _svg(chart_id, "Cumulative dose against target", description, body)


def lab_values_chart(
    *,
    test_label: str,
    unit: str,
    points: Sequence[Point],
    thresholds: Sequence[Threshold],
    chart_id: str,
) -> Markup:
    """One lab test's values over time with its thresholds as labelled dashed lines.

    A value at or above the lowest threshold is drawn as a triangle with its number beside it, so
    an abnormal result stands out without relying on colour.
    """
    if not points:
        return _svg(
            chart_id,
            f"{test_label} over time",
            f"No {test_label} result recorded.",
            [_text(WIDTH / 2, HEIGHT / 2, "No result recorded", anchor="middle")],
        )
    ordered = sorted(points, key=lambda p: p.day)
    first, last = ordered[0].day, ordered[-1].day
    if first == last:
        first -= dt.timedelta(days=7)
        last += dt.timedelta(days=7)
    values = [p.value for p in ordered] + [t.value for t in thresholds]
    # Room above the highest value or line for its label.
    frame = _Frame(first, last, nice_scale(min(values), max(values) * 1.08))
    body = frame.axes(unit)
    lowest_alert = min((t.value for t in thresholds), default=None)
    placed: list[float] = []
    for threshold in sorted(thresholds, key=lambda t: t.value):
        dash = "10 4" if threshold.severity == "critical" else "3 3"
        colour = VERMILLION if threshold.severity == "critical" else PURPLE
        y = frame.y(threshold.value)
        body.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
        )
        # Keep neighbouring labels apart so each stays legible.
        offset = 0.0
        while any(abs((y + offset) - other) < FONT + 2 for other in placed):
            offset -= FONT + 2
        placed.append(y + offset)
        body.append(
            _right_label(
                frame,
                threshold.value,
                f"{short_label(threshold.label)} {_fmt(threshold.value)}",
                INK,
                offset,
            )
        )
    body.append(_polyline(frame, ordered, BLUE, None))
    for point in ordered:
        x, y = frame.x(point.day), frame.y(point.value)
        if lowest_alert is not None and point.value >= lowest_alert:
            body.append(_triangle(x, y, VERMILLION))
            body.append(_point_label(frame, point, _fmt(point.value), INK, above=True))
        else:
            body.append(_circle(x, y, BLUE, True))
    description = f"{test_label} in {unit}: " + "; ".join(
        f"{p.day.isoformat()} {_fmt(p.value)}" for p in ordered
    )
    if thresholds:
        description += ". Thresholds: " + "; ".join(
            f"{t.label} {_fmt(t.value)}" for t in thresholds
        )
    return _svg(chart_id, f"{test_label} over time", description, body)


__all__ = [
    "Point",
    "Threshold",
    "cumulative_dose_chart",
    "fit",
    "lab_values_chart",
    "nice_scale",
    "nice_ticks",
    "short_label",
]
