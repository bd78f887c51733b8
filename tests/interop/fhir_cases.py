"""Courses for the FHIR tests: every programme scenario, and one course that uses every
event type the timeline contract has (so a new event type without a mapping shows up)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from isotrack.domain.timeline import Timeline, load_timeline
from timeline_cases import event, patient, timeline

# The item-9 alert of ``phq_2`` (its id as the monitoring engine names it).
REVIEWED_ALERT = "MOOD_SUICIDAL_IDEATION:phq_2"

SCENARIOS = Path(__file__).parent.parent / "programme" / "scenarios"


def scenario_paths() -> list[Path]:
    return sorted(SCENARIOS.glob("*.json"))


def read_scenario(path: Path) -> Timeline:
    return load_timeline(json.loads(path.read_text(encoding="utf-8")))


def every_event_course() -> Timeline:
    """A UK course with monitoring, screening and corrections: every event type once or more.

    Ids use ``_`` and ``:``, which FHIR ids do not allow, so the identifier has to carry them.
    """
    someone = patient("pt_fhir:1", "2001-03-14", "female", can_get_pregnant=True)
    return timeline(
        event("cond_1", "condition", "2026-01-02", term="depression", status="resolved"),
        event("alg_1", "allergy", "2026-01-02", substance="peanut"),
        event("med_1", "medication", "2026-01-02", name="doxycycline", status="stopped"),
        event("con:1", "contraception", "2026-01-02", methods=["implant"], started_on="2025-12-01"),
        event(
            "enr_1",
            "enrolment",
            "2026-01-03",
            programme="mhra-ppp",
            registry_id="R-77",
            category="can_get_pregnant",
            risk_form_signed_on="2026-01-03",
            risk_form_signed_by="the patient and Dr Okoye",
        ),
        event("cat_1", "category", "2026-01-03", category="can_get_pregnant", reason="menarche"),
        event("visit_1", "visit", "2026-01-03", kind="telehealth"),
        event(
            "mh_1",
            "assessment",
            "2026-01-03",
            kind="mental_health",
            concern=False,
            outcome="no concerns",
        ),
        event("phq_1", "mood_screen", "2026-01-03", item_scores=[0, 1, 0, 0, 1, 0, 0, 0, 0]),
        event("wt_1", "weight", "2026-01-03", weight_kg=61.5, time="09:30:00"),
        event(
            "alt_0", "lab_result", "2026-01-03", test="alt", value=22, unit="U/L", reference_high=40
        ),
        event("tg_0", "lab_result", "2026-01-03", test="2571-8", value=1.4, unit="mmol/L"),
        event("chol_0", "lab_result", "2026-01-03", test="cholesterol", value=190, unit="mg/dL"),
        event(
            "cns_1",
            "counselling",
            "2026-01-03",
            topics=["teratogenicity", "mood"],
            recorded_by="dr-lee",
            note="leaflet given",
        ),
        event("cc_1", "comprehension_check", "2026-01-03", passed=True),
        event(
            "pt_1",
            "pregnancy_test",
            "2026-01-05",
            result="negative",
            kind="serum",
            setting="laboratory",
            sensitivity_miu_per_ml=10,
        ),
        event(
            "rx_1",
            "prescription",
            "2026-01-05",
            product="roaccutane",
            daily_dose_mg=30,
            days_supply=30,
            prescriber_id="gmc-123",
            regimen=[
                {"capsules": [{"strength_mg": 20, "count": 1}, {"strength_mg": 10, "count": 1}]}
            ],
        ),
        event(
            "dsp_1",
            "dispense",
            "2026-01-06",
            prescription_id="rx_1",
            days_supply=30,
            capsules=60,
            pharmacy_id="ph-9",
            authorization_code="A1",
            rma_number="RMA-20260106-44",
            do_not_dispense_after="2026-01-12",
        ),
        event("start_1", "course_start", "2026-01-06"),
        event("miss_1", "dose_missed", "2026-01-20", days=3),
        event("ae_1", "adverse_event", "2026-01-25", term="cheilitis", severity=2),
        event("dose_1", "dose_change", "2026-01-26", daily_dose_mg=40),
        event("pause_1", "pause", "2026-01-28", reason="holiday"),
        event("resume_1", "resume", "2026-02-02"),
        event(
            "pt_2", "pregnancy_test", "2026-02-03", result="negative", kind="urine", setting="home"
        ),
        event("alt_1", "lab_result", "2026-02-03", test="ALT", value=95, unit="U/L"),
        event(
            "alt_1_fix",
            "amend",
            "2026-02-04",
            target_id="alt_1",
            changes={"value": 120},
            reason="transcription error",
        ),
        event(
            "pt_3",
            "pregnancy_test",
            "2026-02-05",
            result="invalid",
            kind="urine",
            setting="medical",
        ),
        event("pt_3_void", "void", "2026-02-05", target_id="pt_3", reason="wrong patient"),
        event("cond_2", "condition", "2026-02-06", term="pancreatitis"),
        event("cond_2_void", "void", "2026-02-07", target_id="cond_2", reason="wrong patient"),
        event("ae_1_void", "void", "2026-02-08", target_id="ae_1", reason="entered twice"),
        event(
            "acne_1",
            "acne_assessment",
            "2026-02-09",
            grade=3,
            lesions={"face": {"papules": 12, "pustules": 4}, "back": {"nodules_cysts": 1}},
            scarring="mild",
            assessed_by="prescriber",
        ),
        event(
            "acne_2", "acne_assessment", "2026-02-09", scale="gags", grade=18, assessed_by="patient"
        ),
        event("phq_2", "mood_screen", "2026-02-10", item_scores=[1, 1, 1, 1, 0, 0, 0, 0, 1]),
        event(
            "rev_1",
            "alert_review",
            "2026-02-11",
            alert_id=REVIEWED_ALERT,
            outcome="continue",
            note="seen in clinic; no current risk, safety plan agreed",
        ),
        event(
            "plan_1",
            "course_plan",
            "2026-02-12",
            product="roaccutane",
            weight_kg=58.5,
            phases=[{"mg_per_kg_per_day": 0.5, "weeks": 4}, {"mg_per_kg_per_day": 1.0}],
            target_mg_per_kg=120,
            reason="slower start after the mood screen",
        ),
        event("preg_1", "pregnancy_reported", "2026-02-20"),
        event(
            "out_1",
            "pregnancy_outcome",
            "2026-03-30",
            outcome="miscarriage",
            details="reported to the registry",
        ),
        event("end_1", "course_end", "2026-02-21", reason="pregnancy"),
        policy="uk-mhra-2023",
        patient=someone,
    )


def check_days(course: Timeline) -> list[dt.date]:
    """Every day something happened, and a day well after the course."""
    days = sorted({e.date for e in course.events})
    return [*days, days[-1] + dt.timedelta(days=60)]
