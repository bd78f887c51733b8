"""Issue 17, units and charts: a clinic that shows mmol/L and µkat/L sees converted values and
threshold lines (stored results unchanged); charts scale to their values, keep every label
inside the picture, and stay readable on a 390 px phone."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from isotrack.domain.events import LabResultRecorded
from isotrack.knowledge import load_knowledge
from isotrack.service.clinic_settings import DisplayUnits
from isotrack.web.charts import (
    FONT,
    HEIGHT,
    LEFT,
    WIDTH,
    Point,
    Threshold,
    cumulative_dose_chart,
    lab_values_chart,
)
from isotrack.web.lab_thresholds import lab_series

SVG = "{http://www.w3.org/2000/svg}"
START = dt.date(2026, 1, 5)
PHONE_CONTENT_PX = 390 - 2 * 12  # a 390 px screen less the page's side padding
# Average glyph width of a sans-serif face, as a share of the font size (a generous estimate).
GLYPH = 0.6


def _results() -> list[LabResultRecorded]:
    return [
        LabResultRecorded(id="tg-1", date=START, test="triglycerides", value=177.0, unit="mg/dL"),
        LabResultRecorded(
            id="tg-2",
            date=START + dt.timedelta(days=30),
            test="triglycerides",
            value=442.0,
            unit="mg/dL",
        ),
        LabResultRecorded(id="alt-1", date=START, test="alt", value=30.0, unit="U/L"),
        LabResultRecorded(
            id="alt-2", date=START + dt.timedelta(days=30), test="alt", value=120.0, unit="U/L"
        ),
    ]


def test_a_clinic_in_si_units_sees_mmol_and_microkatal_converted_by_pint() -> None:
    knowledge = load_knowledge()
    results = _results()
    conventional = {s.test_name: s for s in lab_series(knowledge, results)}
    si = {s.test_name: s for s in lab_series(knowledge, results, DisplayUnits("mmol/L", "µkat/L"))}
    tg, alt = "Triglycerides", "Alanine aminotransferase (ALT)"
    assert conventional[tg].unit == "mg/dL" and si[tg].unit == "mmol/L"
    assert si[alt].unit == "µkat/L"
    # 177 mg/dL of triglyceride (as triolein) is 2.0 mmol/L; 60 U/L is 1 µkat/L.
    assert si[tg].points[0].value == pytest.approx(2.0, abs=0.01)
    assert si[alt].points[1].value == pytest.approx(2.0, rel=1e-3)
    # The threshold lines move with the values: each keeps its place relative to the data.
    for name in (tg, alt):
        for before, after in zip(conventional[name].thresholds, si[name].thresholds, strict=True):
            ratio = si[name].points[0].value / conventional[name].points[0].value
            assert after.label == before.label
            assert after.value == pytest.approx(before.value * ratio, rel=1e-6)
    # What was recorded is untouched.
    assert results[0].value == 177.0 and results[0].unit == "mg/dL"


def _texts(markup: str) -> list[ET.Element]:
    return list(ET.fromstring(markup).iter(f"{SVG}text"))


def _extent(text: ET.Element) -> tuple[float, float, float, float]:
    """Left, right, top and bottom of a label, from its anchor and a glyph-width estimate."""
    x, y = float(text.attrib["x"]), float(text.attrib["y"])
    size = float(text.attrib.get("font-size", FONT))
    width = len(text.text or "") * size * GLYPH
    anchor = text.attrib.get("text-anchor", "start")
    left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
    return left, left + width, y - size, y + size * 0.25


def _charts() -> list[str]:
    """A dose chart and two lab charts: one made up, one with the knowledge base's own long
    threshold labels for triglycerides of 620 mg/dL shown in mmol/L."""
    far = START + dt.timedelta(days=150)
    high_tg = LabResultRecorded(id="tg-3", date=far, test="triglycerides", value=620.0,
                                unit="mg/dL")  # fmt: skip
    tg = lab_series(load_knowledge(), [*_results()[:2], high_tg], DisplayUnits("mmol/L", "U/L"))[0]
    assert any(len(t.label) > 40 for t in tg.thresholds)
    return [
        lab_values_chart(
            test_label=tg.test_name,
            unit=tg.unit,
            points=tg.points,
            thresholds=tg.thresholds,
            chart_id="lab-tg",
        ),
        cumulative_dose_chart(
            taken=[Point(START, 0.5), Point(far, 118.0)],
            projected=[Point(far + dt.timedelta(days=14), 150.0)],
            target_low=120.0,
            target_high=150.0,
            as_of=far,
        ),
        lab_values_chart(
            test_label="Alanine aminotransferase (ALT)",
            unit="U/L",
            points=[Point(START, 30.0), Point(far, 940.0)],
            thresholds=[
                Threshold("upper limit of normal", 40.0),
                Threshold("3 × upper limit", 120.0),
                Threshold("life-threatening", 800.0, "critical"),
            ],
            chart_id="lab-alt",
        ),
    ]


def test_every_label_stays_inside_the_picture() -> None:
    for markup in _charts():
        for text in _texts(markup):
            left, right, top, bottom = _extent(text)
            assert left >= 0 and right <= WIDTH, (text.text, left, right)
            assert top >= 0 and bottom <= HEIGHT, (text.text, top, bottom)


def test_charts_stay_readable_on_a_390_px_phone() -> None:
    for markup in _charts():
        view_box_width = float(ET.fromstring(markup).attrib["viewBox"].split()[2])
        scale = PHONE_CONTENT_PX / view_box_width
        smallest = min(float(t.attrib.get("font-size", FONT)) for t in _texts(markup))
        assert smallest * scale >= 11, f"text {smallest * scale:.1f} px high on a phone"


def test_the_value_axis_fits_values_far_from_zero() -> None:
    # Fasting glucose 4.4–6.1 mmol/L: the axis starts near the values, not at zero.
    markup = lab_values_chart(
        test_label="Glucose", unit="mmol/L",
        points=[Point(START, 4.4), Point(START + dt.timedelta(days=60), 6.1)],
        thresholds=[], chart_id="lab-glucose",
    )  # fmt: skip
    circles = ET.fromstring(markup).findall(f"{SVG}circle")
    heights = [float(c.attrib["cy"]) for c in circles]
    assert max(heights) - min(heights) > 0.5 * (HEIGHT - 80)
    axis = [t.text or "" for t in _texts(markup) if float(t.attrib["x"]) == LEFT - 5]
    assert axis and all(re.fullmatch(r"\d+(\.\d+)?", a) for a in axis)
    assert float(axis[0]) == 4.0 and 6.1 <= float(axis[-1]) <= 7.0
