"""The course's biology as server-drawn SVG: response over time beside cumulative mg/kg, and the
estimated drug levels with the dispenses marked.

Drawn for a phone first: a narrow view box (labels inside the plot, large type) so that at
390 px wide the text stays about 11 px high. Series differ by line style and marker as well as
colour (Okabe-Ito), as in ``web.charts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from isotrack.web.charts import BLUE, GRID, INK, VERMILLION, nice_ticks
from isotrack.web.i18n import N_, Speaker

WIDTH = 360
PANEL_HEIGHT = 124
PAD_X, PAD_TOP = 36, 22
FONT = 15
BLACK_OKABE = "#000000"
MAX_POINTS_PER_LINE = 400


@dataclass(frozen=True)
class Mark:
    """One value on one day; ``filled`` False draws an open marker (a self-report)."""

    day: dt.date
    value: float


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


@dataclass(frozen=True)
class _Panel:
    """One horizontal band of a chart: days across, one quantity up."""

    top: float
    height: float
    first: dt.date
    days: float
    ticks: list[float]

    def x(self, day: dt.date | float) -> float:
        offset = day if isinstance(day, float) else float((day - self.first).days)
        return PAD_X + (WIDTH - 2 * PAD_X) * offset / (self.days or 1.0)

    def y(self, value: float) -> float:
        top_value = self.ticks[-1] or 1.0
        clipped = min(max(value, 0.0), top_value)
        return self.top + self.height * (1 - clipped / top_value)

    def frame(self, title: str) -> list[str]:
        parts = [
            f'<text x="{PAD_X}" y="{self.top - 6:.1f}" font-size="{FONT}" font-weight="700" '
            f'fill="{INK}">{escape(title)}</text>'
        ]
        for tick in (self.ticks[0], self.ticks[len(self.ticks) // 2], self.ticks[-1]):
            y = self.y(tick)
            parts.append(
                f'<line x1="{PAD_X}" y1="{y:.1f}" x2="{WIDTH - PAD_X}" y2="{y:.1f}" '
                f'stroke="{GRID}"/><text x="{PAD_X - 4}" y="{y + 5:.1f}" text-anchor="end" '
                f'font-size="{FONT - 2}" fill="{INK}">{_fmt(tick)}</text>'
            )
        return parts


def _line(points: Sequence[tuple[float, float]], colour: str, dash: str | None = None) -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
    )


def _dot(x: float, y: float, colour: str, filled: bool) -> str:
    if filled:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}" stroke="{colour}"/>'
    return (
        f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#ffffff" '
        f'stroke="{colour}" stroke-width="2"/>'
    )


def _label(x: float, y: float, text: str, colour: str, anchor: str = "start") -> str:
    # A white halo keeps a label readable where it crosses a line.
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT - 1}" fill="{colour}" '
        f'text-anchor="{anchor}" stroke="#ffffff" stroke-width="4" paint-order="stroke">'
        f"{escape(text)}</text>"
    )


def _svg(chart_id: str, title: str, description: str, height: float, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart bio-chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def _date_axis(panel: _Panel, y: float, words: Speaker | None = None) -> list[str]:
    last = panel.first + dt.timedelta(days=round(panel.days))

    def shown(day: dt.date) -> str:
        return words.medium_date(day) if words is not None else day.strftime("%d %b %Y")

    return [
        _label(PAD_X, y, shown(panel.first), INK),
        _label(WIDTH - PAD_X, y, shown(last), INK, "end"),
    ]


def response_chart(
    *,
    grades: Sequence[Mark],
    self_grades: Sequence[Mark],
    grade_max: int,
    scale_name: str,
    lesions: Sequence[Mark],
    cumulative_mg_per_kg: Sequence[Mark],
    chart_id: str = "response-chart",
) -> Markup:
    """Three bands over the same days: the global grade (prescriber: solid line and dots;
    self-report: open squares), the counted lesions, and the cumulative mg/kg taken."""
    days = [m.day for m in (*grades, *self_grades, *lesions, *cumulative_mg_per_kg)]
    if not days:
        empty = [_label(WIDTH / 2, 34, "No assessment recorded yet", INK, "middle")]
        return _svg(chart_id, "Response and dose", "No assessment and no dose yet.", 60, empty)
    first, last = min(days), max(days)
    span = float(max((last - first).days, 1))
    bands = [("grade", f"{scale_name} grade (0 = clear)")]
    if lesions:
        bands.append(("lesions", "Lesions counted"))
    bands.append(("dose", "Cumulative dose (mg/kg)"))
    body: list[str] = []
    top = PAD_TOP
    panel = None
    for key, title in bands:
        if key == "grade":
            ticks = [0.0, grade_max / 2, float(grade_max)]
        else:
            series = lesions if key == "lesions" else cumulative_mg_per_kg
            ticks = nice_ticks(max((m.value for m in series), default=1.0) * 1.1, 2)
        panel = _Panel(top, PANEL_HEIGHT - 40, first, span, ticks)
        body.extend(panel.frame(title))
        if key == "grade":
            for marks, colour, filled, dash, name in (
                (grades, BLUE, True, None, "prescriber"),
                (self_grades, VERMILLION, False, "6 4", "self-report"),
            ):
                pts = [(panel.x(m.day), panel.y(m.value)) for m in marks]
                if len(pts) > 1:
                    body.append(_line(pts, colour, dash))
                body.extend(_dot(x, y, colour, filled) for x, y in pts)
                if pts:
                    anchor = "end" if pts[-1][0] > WIDTH / 2 else "start"
                    shift = -8 if anchor == "end" else 8
                    body.append(_label(pts[-1][0] + shift, pts[-1][1] - 8, name, colour, anchor))
        else:
            series = lesions if key == "lesions" else cumulative_mg_per_kg
            pts = [(panel.x(m.day), panel.y(m.value)) for m in series]
            body.append(_line(pts, INK if key == "lesions" else BLUE))
            if key == "lesions":
                body.extend(_dot(x, y, INK, True) for x, y in pts)
            if pts:
                end = series[-1]
                body.append(_label(pts[-1][0] - 4, pts[-1][1] - 8, _fmt(end.value), INK, "end"))
        top += PANEL_HEIGHT
    assert panel is not None
    body.extend(_date_axis(panel, top - 18))

    def listed(marks: Sequence[Mark]) -> str:
        return "; ".join(f"{m.day.isoformat()} {m.value:.0f}" for m in marks) or "none"

    described = "; ".join(f"{m.day.isoformat()} grade {m.value:.0f}" for m in grades)
    description = (
        f"{scale_name} grade by the prescriber: {described or 'none'}. "
        f"Self-reported: {listed(self_grades)}. "
        + (f"Lesions: {listed(lesions)}. " if lesions else "")
        + (
            f"Cumulative dose {cumulative_mg_per_kg[-1].value:.0f} mg/kg by "
            f"{cumulative_mg_per_kg[-1].day.isoformat()}."
            if cumulative_mg_per_kg
            else ""
        )
    )
    return _svg(chart_id, "Response to treatment beside the dose", description, top, body)


def _envelope(
    time_h: Sequence[float], level: Sequence[float], buckets: int
) -> list[tuple[float, float]]:
    """At most ``2 * buckets`` points keeping each bucket's low and high, so daily peaks survive."""
    if len(time_h) <= 2 * buckets:
        return list(zip(time_h, level, strict=True))
    size = len(time_h) / buckets
    out: list[tuple[float, float]] = []
    for b in range(buckets):
        lo, hi = int(b * size), max(int((b + 1) * size), int(b * size) + 1)
        chunk = list(zip(time_h[lo:hi], level[lo:hi], strict=True))
        low = min(chunk, key=lambda p: p[1])
        high = max(chunk, key=lambda p: p[1])
        out.extend(sorted((low, high)))
    return out


def levels_chart(
    *,
    time_h: Sequence[float],
    isotretinoin: Sequence[float],
    oxo: Sequence[float],
    first_day: dt.date,
    marked_days: Sequence[tuple[dt.date, str]],
    natural_levels: tuple[float, float] | None = None,
    vertical_rules: Sequence[tuple[float, str]] = (),
    marks_label: str = "dispensed",
    chart_id: str = "levels-chart",
    title: str = "Estimated drug levels",
    words: Speaker | None = None,
) -> Markup:
    """Isotretinoin (solid blue) and 4-oxo-isotretinoin (dashed vermillion) in ng/mL against
    days; ``marked_days`` drawn as labelled ticks under the curve (the dispenses);
    ``vertical_rules`` as dotted lines at a day offset (e.g. the one-month rule). ``words``
    (the patient's page) says the axis, legend and dates in the patient's language."""
    say = words.gettext if words is not None else str
    chart_height = 190.0
    days = (time_h[-1] - time_h[0]) / 24 if time_h else 1.0
    top_value = max([*isotretinoin, *oxo, 1.0])
    panel = _Panel(PAD_TOP + 8, chart_height - PAD_TOP - 8, first_day, days,
                   nice_ticks(top_value * 1.05, 2))  # fmt: skip
    body = panel.frame(say(N_("ng/mL in blood (estimate)")))
    start_h = time_h[0] if time_h else 0.0
    for values, colour, dash in (
        (isotretinoin, BLUE, None),
        (oxo, VERMILLION, "7 4"),
    ):
        pts = [(panel.x((t - start_h) / 24), panel.y(v)) for t, v in _envelope(time_h, values, 200)]
        body.append(_line(pts, colour, dash))
    if natural_levels is not None:
        for value, colour in zip(natural_levels, (BLUE, VERMILLION), strict=True):
            y = panel.y(value)
            body.append(
                f'<line x1="{PAD_X}" y1="{y:.1f}" x2="{WIDTH - PAD_X}" y2="{y:.1f}" '
                f'stroke="{colour}" stroke-dasharray="1 3" stroke-width="2"/>'
            )
    for index, (offset_days, text) in enumerate(vertical_rules):
        x = panel.x(float(offset_days))
        body.append(
            f'<line x1="{x:.1f}" y1="{panel.top}" x2="{x:.1f}" y2="{panel.top + panel.height}" '
            f'stroke="{BLACK_OKABE}" stroke-dasharray="2 3" stroke-width="2"/>'
        )
        left = x < WIDTH / 2
        y = panel.top + 18 + 20 * index
        body.append(_label(x + 4 if left else x - 4, y, text, INK, "start" if left else "end"))
    base = panel.top + panel.height
    for day, text in marked_days:
        x = panel.x(float((day - first_day).days))
        body.append(
            f'<path d="M{x:.1f},{base + 4:.1f} l6,10 l-12,0 Z" fill="{INK}">'
            f"<title>{escape(text)}</title></path>"
        )
    body.extend(_date_axis(panel, base + 32, words))
    legend_y = base + 56
    body.append(_line([(PAD_X - 30, legend_y - 5), (PAD_X - 8, legend_y - 5)], BLUE))
    body.append(_label(PAD_X - 4, legend_y, say(N_("isotretinoin")), INK))
    middle = WIDTH / 2 - 4
    body.append(_line([(middle, legend_y - 5), (middle + 22, legend_y - 5)], VERMILLION, "7 4"))
    body.append(_label(middle + 26, legend_y, say(N_("4-oxo-isotretinoin")), INK))
    bottom = legend_y + 8
    if marked_days:
        body.append(_label(PAD_X - 30, legend_y + 22, "▲ " + marks_label, INK))
        bottom += 22
    peak = max(isotretinoin, default=0.0)
    description = (
        f"Estimated isotretinoin over {days:.0f} days from {first_day.isoformat()}, peaking near "
        f"{peak:.0f} ng/mL; 4-oxo-isotretinoin peaking near {max(oxo, default=0.0):.0f} ng/mL. "
        + (f"{len(marked_days)} dispenses marked." if marked_days else "")
    )
    if words is not None:  # the patient's washout chart marks no dispenses
        description = words.gettext(LEVELS_DESCRIPTION) % {
            "days": words.number(days), "first": words.date(first_day),
            "peak": words.number(peak), "oxo": words.number(max(oxo, default=0.0)),
        }  # fmt: skip
    return _svg(chart_id, title, description, bottom, body)


LEVELS_DESCRIPTION = N_(
    "Estimated isotretinoin over %(days)s days from %(first)s, peaking near %(peak)s ng/mL; "
    "4-oxo-isotretinoin peaking near %(oxo)s ng/mL."
)
