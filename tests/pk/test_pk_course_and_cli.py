"""A course's real doses drawn as a curve, the washout after it, and ``isotrack pk`` itself."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from isotrack.cli import app
from isotrack.domain.timeline import Timeline
from isotrack.engines.pk.report import course_report, product_report
from isotrack.knowledge import Knowledge
from timeline_cases import event, patient, timeline, timeline_document

runner = CliRunner()
ANNA = patient("pt-anna", "2001-03-14", "female", can_get_pregnant=True)
EVENTS = (
    event("w1", "weight", "2026-01-02", weight_kg=60),
    event("rx1", "prescription", "2026-01-05", product="absorica", daily_dose_mg=40,
          days_supply=30),
    event("d1", "dispense", "2026-01-05", prescription_id="rx1", days_supply=30),
    event("end", "course_end", "2026-02-03"),
)  # fmt: skip


def anna_course() -> Timeline:
    return timeline(*EVENTS, policy="us-ipledge-2026", patient=ANNA)


def test_a_month_of_absorica_is_drawn_from_the_dispensed_doses(knowledge: Knowledge) -> None:
    # Anna took 40 mg a day (20 mg twice) from 5 January to 3 February: 30 dosing days.
    report = course_report(knowledge, anna_course(), dt.date(2026, 3, 1))
    assert report is not None
    assert str(report.first_dose_date) == "2026-01-05"
    assert len(report.dose_times_h) == 30 * 2
    assert report.dose_mg == 20
    assert report.washout is not None and report.washout_days is not None


def test_the_one_month_rules_outlast_the_modelled_washout(knowledge: Knowledge) -> None:
    # iPLEDGE: contraception, no blood donation and the last pregnancy test all run 1 month.
    report = product_report(knowledge, "absorica", 40, "fed", days=140, doses_per_day=2)
    assert report.washout is not None and report.washout_days is not None
    rules = {rule.rule: rule for rule in report.washout.rules}
    assert set(rules) == {
        "contraception_after_last_dose",
        "no_blood_donation_after_last_dose",
        "post_treatment_test_delay",
    }
    assert all(rule.covered and rule.rule_days >= report.washout_days for rule in rules.values())
    # The metabolite, with the longer half-life, is the last to return to natural levels.
    assert report.washout.oxo_isotretinoin_days >= report.washout.isotretinoin_days  # type: ignore[operator]


def test_the_elimination_claims_are_set_beside_the_model(knowledge: Knowledge) -> None:
    report = product_report(knowledge, "claravis", 40, "fed", days=60, doses_per_day=2)
    assert report.washout is not None
    cited = {myth.myth_id for myth in report.washout.myths}
    assert {"endogenous_levels_within_2_weeks", "elimination_20_hours_skin_2_4_weeks"} <= cited
    twenty_hours = next(m for m in report.washout.myths if m.myth_id.startswith("elimination"))
    assert "not within 20 hours" in twenty_hours.model_shows


def test_steady_state_comes_within_the_first_fortnight(knowledge: Knowledge) -> None:
    # Khoo 1982: levels stop rising after about day 5; the seed claim says within 10 days.
    report = product_report(knowledge, "claravis", 40, "fed", days=30, doses_per_day=2)
    assert report.steady_state_day is not None
    assert 5 <= report.steady_state_day <= 10


def test_pk_json_has_the_agreed_keys() -> None:
    result = runner.invoke(
        app, ["pk", "--product", "absorica", "--dose-mg", "40", "--food", "fed", "--days", "7",
              "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload["single_dose"]) == {
        "cmax_ng_per_ml",
        "tmax_h",
        "auc_ng_h_per_ml",
        "t_half_h",
    }
    assert payload["single_dose"]["cmax_ng_per_ml"] == pytest.approx(369, rel=0.01)
    curve = payload["curve"]
    assert len(curve["time_h"]) == len(curve["isotretinoin_ng_per_ml"])
    assert len(curve["time_h"]) == len(curve["oxo_isotretinoin_ng_per_ml"])
    assert isinstance(payload["steady_state_day"], int)
    assert payload["washout_days"] > 0


def test_pk_reads_a_course_timeline(tmp_path: Path) -> None:
    path = tmp_path / "anna.json"
    path.write_text(json.dumps(timeline_document(*EVENTS, policy="us-ipledge-2026", patient=ANNA)))
    result = runner.invoke(app, ["pk", "--timeline", str(path), "--as-of", "2026-03-01"])
    assert result.exit_code == 0, result.output
    assert "Absorica" in result.output
    assert "Contraception continues" in result.output


def test_an_unknown_meal_state_is_refused_with_the_allowed_values() -> None:
    result = runner.invoke(app, ["pk", "--product", "absorica", "--dose-mg", "40", "--food", "x"])
    assert result.exit_code == 2
    assert "fed or fasted" in result.output
