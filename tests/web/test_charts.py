"""Server-side SVG charts: readable without colour, in print, and by screen readers."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from isotrack.web.charts import (
    Point,
    Threshold,
    cumulative_dose_chart,
    lab_values_chart,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"
START = dt.date(2026, 1, 5)


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def test_taken_and_projected_differ_by_line_style_and_marker_not_only_colour() -> None:
    # 60 kg at 30 mg/day = 0.5 mg/kg/day: 14 days taken = 7 mg/kg; target 120 mg/kg on day 240.
    svg = _parse(
        cumulative_dose_chart(
            taken=[Point(START, 0.5), Point(START + dt.timedelta(days=13), 7.0)],
            projected=[Point(START + dt.timedelta(days=239), 120.0)],
            target_low=120.0,
            target_high=120.0,
            as_of=START + dt.timedelta(days=13),
        )
    )
    lines = svg.findall(f"{SVG}polyline")
    assert len(lines) == 2
    taken, projected = lines
    assert "stroke-dasharray" not in taken.attrib  # solid = what was taken
    assert projected.attrib["stroke-dasharray"]  # dashed = projection
    circles = svg.findall(f"{SVG}circle")
    assert {c.attrib["fill"] == "#ffffff" for c in circles} == {True, False}  # open vs filled dots
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "target 120 mg/kg" in texts
    assert "taken 7 mg/kg" in texts
    assert "projected" in texts


def test_chart_has_a_title_and_a_text_description_for_screen_readers() -> None:
    svg = _parse(
        cumulative_dose_chart(
            taken=[Point(START, 1.0)], projected=[], target_low=120, target_high=150, as_of=START
        )
    )
    assert svg.attrib["role"] == "img"
    description = svg.find(f"{SVG}desc")
    assert description is not None and "Target 120 to 150 mg/kg" in (description.text or "")


def test_treat_to_clearance_draws_no_target_band_and_says_so() -> None:
    svg = _parse(
        cumulative_dose_chart(
            taken=[Point(START, 1.0)], projected=[], target_low=None, target_high=None, as_of=START
        )
    )
    assert svg.find(f"{SVG}rect[@fill='url(#target-hatch)']") is None
    assert "no fixed target" in " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))


def test_lab_value_above_a_threshold_is_a_labelled_triangle() -> None:
    # Triglycerides 150 (normal) then 520 mg/dL, thresholds 150 / 500 / 880 mg/dL.
    svg = _parse(
        lab_values_chart(
            test_label="triglycerides",
            unit="mg/dL",
            points=[Point(START, 120.0), Point(START + dt.timedelta(days=30), 520.0)],
            thresholds=[
                Threshold("above normal", 150.0),
                Threshold("very high", 500.0),
                Threshold("severe", 880.0, "critical"),
            ],
            chart_id="lab-tg",
        )
    )
    triangles = svg.findall(f"{SVG}path")
    assert len(triangles) == 1  # only 520 reaches a threshold; 120 stays a plain dot
    labels = [t.text or "" for t in svg.iter(f"{SVG}text")]
    assert "520" in labels
    assert any(label.startswith("severe 880") for label in labels)
    dashes = {line.attrib.get("stroke-dasharray") for line in svg.findall(f"{SVG}line")}
    assert {"3 3", "10 4"} <= dashes  # warning and critical lines differ by dash pattern


def test_ticks_are_round_numbers_covering_the_top_value() -> None:
    assert nice_ticks(137) == [0.0, 30.0, 60.0, 90.0, 120.0, 150.0]
    assert nice_ticks(9.5)[-1] >= 9.5
