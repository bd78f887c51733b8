"""Clinical holds, the exposure record and recording times, as the audit sees them.

A hold comes from the safety rules of ``knowledge/data/safety.toml`` (here the triglyceride
pancreatitis band, us-plr-w); a prescriber's ``alert_review`` with outcome ``continue`` lifts it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from audit_cases import AUDIT_DAY, audit, compliant_course, event, rules_found

from isotrack.audit.rules import audit_course
from isotrack.domain.timeline import load_timeline
from isotrack.knowledge import Knowledge

TG_HOLD_RULE = "unauthorized_dispense.clinical_hold.TG_PANCREATITIS_RISK"


def _high_triglycerides(course: dict[str, Any], *extra: dict[str, Any]) -> None:
    # Drawn the day after the third prescription was written, the day before its fill.
    at = course["events"].index(event(course, "disp2"))
    high = {"id": "tg-high", "type": "lab_result", "date": "2025-05-01",
            "test": "triglycerides", "value": 1200, "unit": "mg/dL"}  # fmt: skip
    course["events"][at:at] = [high, *extra]


def test_a_fill_during_an_open_clinical_hold_is_an_unauthorized_dispense(
    knowledge: Knowledge,
) -> None:
    course = compliant_course("us-ipledge-2023", can_get_pregnant=False)
    _high_triglycerides(course)
    result = audit(knowledge, course)
    assert rules_found(result) == {(TG_HOLD_RULE, "disp2")}
    (finding,) = result.findings
    assert finding.severity == "critical"
    assert "us-plr-w" in finding.source_ids  # hold.triglycerides.pancreatitis_band


def test_a_fill_after_the_prescriber_reviewed_the_alert_and_continued_is_not_a_finding(
    knowledge: Knowledge,
) -> None:
    course = compliant_course("us-ipledge-2023", can_get_pregnant=False)
    review = {"id": "rv1", "type": "alert_review", "date": "2025-05-01",
              "alert_id": "TG_PANCREATITIS_RISK:tg-high", "outcome": "continue",
              "note": "non-fasting sample", "recorded_by": "dr-lee"}  # fmt: skip
    _high_triglycerides(course, review)
    assert audit(knowledge, course).findings == []


def _positive_test(day: str) -> dict[str, Any]:
    return {"id": "pt-pos", "type": "pregnancy_test", "date": day, "result": "positive",
            "kind": "urine", "setting": "medical", "sensitivity_miu_per_ml": 25}  # fmt: skip


def test_an_unreported_exposure_names_the_reports_the_exposure_record_owes(
    knowledge: Knowledge,
) -> None:
    course = compliant_course("us-ipledge-2026", can_get_pregnant=True)
    course["events"].append(_positive_test("2025-06-10"))
    result = audit(knowledge, course)
    (missing,) = [f for f in result.findings if f.rule_id == "pregnancy.exposure_not_reported"]
    assert "iPLEDGE" in missing.message  # the US reporting duty of the exposure record
    assert len(missing.source_ids) > 1


def test_an_exposure_reported_weeks_after_the_positive_test_is_reported_late(
    knowledge: Knowledge,
) -> None:
    course = compliant_course("eu-ppp-2018", can_get_pregnant=True)
    course["events"] += [
        _positive_test("2025-06-10"),
        {"id": "preg", "type": "pregnancy_reported", "date": "2025-07-01"},
    ]
    assert rules_found(audit(knowledge, course)) == {
        ("pregnancy.exposure", "pt-pos"),
        ("pregnancy.exposure_reported_late", "preg"),
    }


def test_an_event_recorded_weeks_after_its_date_is_recorded_late(knowledge: Knowledge) -> None:
    course = compliant_course("uk-mhra-2023", can_get_pregnant=False)
    timeline = load_timeline(course)
    on_time = {e.id: e.date for e in timeline.events}
    late = {**on_time, "mood2": dt.date(2025, 5, 30), "disp1": dt.date(2025, 4, 8)}
    result = audit_course(knowledge, timeline, AUDIT_DAY, late)
    # mood2 (30 April) entered a month later; disp1 (2 April) six days later is within 7.
    assert rules_found(result) == {("recording.late", "mood2")}
    assert result.findings[0].severity == "low"
    assert "isotrack-decisions" in result.findings[0].source_ids  # decision 37
    assert audit_course(knowledge, timeline, AUDIT_DAY, on_time).findings == []
