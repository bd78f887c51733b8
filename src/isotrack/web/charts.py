"""Charts drawn on the server as inline SVG, so they print, work offline and need no script.

Every series differs by line style and marker shape as well as by colour (Okabe-Ito hues), and
every line carries a text label, so the charts read in black and white and for colour-blind eyes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 720
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 36, 48
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
INK = "#1b1b1b"
GRID = "#d0d3d8"


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


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``high``.

    >>> nice_ticks(137)
    [0.0, 30.0, 60.0, 90.0, 120.0, 150.0]
    """
    if high <= 0:
        return [0.0, 1.0]
    raw_step = high / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 3, 5, 10) if m * magnitude >= raw_step)
    ticks = [0.0]
    while ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 or value == int(value) else f"{value:.1f}"


class _Frame:
    """Maps days and values to pixel positions for one chart."""

    def __init__(self, first: dt.date, last: dt.date, ticks: list[float]) -> None:
        self.first = first
        self.days = max((last - first).days, 1)
        self.ticks = ticks
        self.top_value = ticks[-1] or 1.0
        self.plot_width = WIDTH - LEFT - RIGHT
        self.plot_height = HEIGHT - TOP - BOTTOM

    def x(self, day: dt.date) -> float:
        return LEFT + self.plot_width * (day - self.first).days / self.days

    def y(self, value: float) -> float:
        clipped = min(max(value, 0.0), self.top_value)
        return TOP + self.plot_height * (1 - clipped / self.top_value)

    def axes(self, y_label: str) -> list[str]:
        parts: list[str] = []
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="1"/>'
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                f'fill="{INK}">{_fmt(tick)}</text>'
            )
        for day in self._day_ticks():
            x = self.x(day)
            parts.append(
                f'<line x1="{x:.1f}" y1="{HEIGHT - BOTTOM}" x2="{x:.1f}" '
                f'y2="{HEIGHT - BOTTOM + 5}" stroke="{INK}"/>'
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                f'font-size="12" fill="{INK}">{day.strftime("%d %b %y")}</text>'
            )
        parts.append(
            f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="{INK}"/>'
            f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
            f'y2="{HEIGHT - BOTTOM}" stroke="{INK}"/>'
            f'<text x="14" y="{TOP + self.plot_height / 2:.1f}" font-size="12" fill="{INK}" '
            f'text-anchor="middle" transform="rotate(-90 14 {TOP + self.plot_height / 2:.1f})">'
            f"{escape(y_label)}</text>"
        )
        return parts

    def _day_ticks(self) -> list[dt.date]:
        # About five labelled days, evenly spaced, always including both ends.
        steps = 4
        return [
            self.first + dt.timedelta(days=round(self.days * i / steps)) for i in range(steps + 1)
        ]


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
    return (
        f'<text x="{WIDTH - RIGHT + 6}" y="{frame.y(value) + 4 + offset:.1f}" font-size="12" '
        f'fill="{colour}">{escape(text)}</text>'
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
            [
                f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="14" '
                f'fill="{INK}">No dose taken yet</text>'
            ],
        )
    first = min(p.day for p in all_points)
    last = max(max(p.day for p in all_points), as_of)
    top = max([p.value for p in all_points] + [target_high or 0.0, target_low or 0.0])
    frame = _Frame(first, last, nice_ticks(top * 1.05))
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
        body.append(
            f'<text x="{WIDTH - RIGHT + 6}" y="{TOP + 12}" font-size="12" fill="{INK}">'
            "no fixed target</text>"
        )
    x_today = frame.x(as_of)
    body.append(
        f'<line x1="{x_today:.1f}" y1="{TOP}" x2="{x_today:.1f}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="{INK}" stroke-dasharray="2 3"/>'
        f'<text x="{x_today:.1f}" y="{TOP - 6}" text-anchor="middle" font-size="12" '
        f'fill="{INK}">today {as_of.strftime("%d %b")}</text>'
    )
    if taken:
        body.append(_polyline(frame, taken, BLUE, None))
        body.extend(_circle(frame.x(p.day), frame.y(p.value), BLUE, True) for p in taken)
        end = taken[-1]
        body.append(
            _right_label(frame, end.value, f"taken {_fmt(end.value)} mg/kg", BLUE, offset=14)
        )
    if projected:
        line = [taken[-1], *projected] if taken else list(projected)
        body.append(_polyline(frame, line, VERMILLION, "7 5"))
        body.extend(_circle(frame.x(p.day), frame.y(p.value), VERMILLION, False) for p in projected)
        end = projected[-1]
        body.append(
            _right_label(
                frame,
                end.value,
                f"projected {end.day.strftime('%d %b %Y')}",
                "#a34400",
                offset=-16,
            )
        )
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
            [
                f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="14" '
                f'fill="{INK}">No result recorded</text>'
            ],
        )
    ordered = sorted(points, key=lambda p: p.day)
    first, last = ordered[0].day, ordered[-1].day
    if first == last:
        first -= dt.timedelta(days=7)
        last += dt.timedelta(days=7)
    top = max([p.value for p in ordered] + [t.value for t in thresholds])
    frame = _Frame(first, last, nice_ticks(top * 1.1))
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
        while any(abs((y + offset) - other) < 13 for other in placed):
            offset -= 13
        placed.append(y + offset)
        body.append(
            _right_label(
                frame, threshold.value, f"{threshold.label} {_fmt(threshold.value)}", INK, offset
            )
        )
    body.append(_polyline(frame, ordered, BLUE, None))
    for point in ordered:
        x, y = frame.x(point.day), frame.y(point.value)
        if lowest_alert is not None and point.value >= lowest_alert:
            body.append(_triangle(x, y, VERMILLION))
            body.append(
                f'<text x="{x + 8:.1f}" y="{y - 6:.1f}" font-size="12" font-weight="700" '
                f'fill="{INK}">{_fmt(point.value)}</text>'
            )
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
