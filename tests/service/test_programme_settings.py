"""Issue 17: the admin sets the clinic's programme settings in the console (SQLite and
PostgreSQL). Each value is one the knowledge base allows; a change is in force at once for the
dispense decision, the today list, FHIR ``$rems-etasu`` and CDS Hooks (all ask
``Service.knowledge()``), each decision lists it as a clinic override, it is kept with who,
when and the value before, and a refused change stores nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from service_clinic import TODAY, Clinic, demo_timeline

from isotrack.audit.report_html import render_report
from isotrack.audit.run import AuditOptions, run_audit
from isotrack.audit.summary import AuditSummary
from isotrack.domain.errors import ActionNotAllowed, IsotrackInputError
from isotrack.domain.timeline import load_timeline, parse_event
from isotrack.knowledge import load_knowledge
from isotrack.service import admin_console, cds_patients, clinic_settings, dispensing, worklist
from isotrack.service.audit_source import StoreTimelines
from isotrack.service.context import Service, open_service
from isotrack.service.programme_overlay import ADOPTED, EDITION_DATE, KIT
from isotrack.service.recording import record_event
from isotrack.service.settings import Settings
from isotrack.store.courses import CourseHeader, import_timeline

FACTS = load_knowledge()
# The programmes ask for a test detecting this or less (US-PT-01, EU-PT-01); the knowledge
# base's example of a clinic kit is more sensitive than that.
LIMIT = FACTS.number("programme.test_min_sensitivity")
GOOD_KIT = FACTS.number("programme.example_clinic_urine_kit_sensitivity")
WEAK_KIT = LIMIT + 5


@pytest.fixture
def service(settings: Settings, clinic: Clinic) -> Iterator[Service]:
    running = open_service(settings, today=lambda: TODAY, pool_size=4)
    running.start()
    yield running
    running.close()


def _ana_tested_with_the_clinics_own_urine_kit(
    clinic: Clinic, filled_on: dt.date | None = None
) -> CourseHeader:
    """Ana is Maya's twin in the record (same course, same dates), but her latest test before
    the waiting prescription was the clinic's urine kit, and nobody wrote its figure down.
    With ``filled_on``, the waiting prescription was dispensed that day (event ``ana-fill``)."""
    data = demo_timeline("demo-02").to_json_dict()
    data["patient"] = {**data["patient"], "id": "demo-ana"}
    tests = [e for e in data["events"] if e["type"] == "pregnancy_test"]
    latest = max(tests, key=lambda e: e["date"])
    assert latest["kind"] == "urine" and latest.pop("sensitivity_miu_per_ml") == LIMIT
    if filled_on is not None:
        data["events"].append(_ana_fill(filled_on))
    with clinic.database.writing() as connection:
        return import_timeline(connection, load_timeline(data), recorded_by="dr.lee",
                               prescriber_user_id=clinic.users["dr.lee"].id)  # fmt: skip


def _ana_fill(day: dt.date) -> dict[str, object]:
    """The fill of the prescription waiting in Maya's (and so Ana's) record, on ``day``."""
    events = demo_timeline("demo-02").to_json_dict()["events"]
    waiting = max((e for e in events if e["type"] == "prescription"), key=lambda e: e["date"])
    return {"id": "ana-fill", "type": "dispense", "date": day.isoformat(),
            "prescription_id": waiting["id"], "days_supply": waiting["days_supply"]}  # fmt: skip


def _row_of(service: Service, clinic: Clinic, course_id: str) -> str:
    page = worklist.today_worklist(service, clinic.users["dr.lee"], page_size=200)
    return next(str(r.entry.status) for r in page.rows if r.course_id == course_id)


def test_a_kit_the_programme_accepts_lets_an_unlabelled_urine_test_count(
    service: Service, clinic: Clinic
) -> None:
    ana = _ana_tested_with_the_clinics_own_urine_kit(clinic)
    worklist.refresh_worklist(service, everything=True)
    pharmacist, admin = clinic.users["pharmacist"], clinic.users["admin"]
    # Decision 40: a urine test without a figure is "unknown", never "fine".
    before = dispensing.decide_dispense_today(service, pharmacist, ana.id, None)
    assert not before.authorized
    assert "kit sensitivity not recorded" in str(before.decision["reasons"])
    assert _row_of(service, clinic, ana.id) == "blocked"

    changed = clinic_settings.change_settings(service, admin, {KIT: f"{GOOD_KIT:g}"})

    assert changed == [KIT]
    after = dispensing.decide_dispense_today(service, pharmacist, ana.id, None)
    assert after.authorized, after.decision["reasons"]
    overrides = [o["description"] for o in after.decision["policy"]["overrides"]]
    assert overrides == ["parameter urine_kit_sensitivity uses fact clinic.urine_kit_sensitivity"]
    # The today list was worked out again under the new setting, not left at "blocked".
    assert _row_of(service, clinic, ana.id) != "blocked"
    history = clinic_settings.settings_history(service, clinic.users["auditor"])
    assert (history[0].before, history[0].after, history[0].changed_by) == (
        "not configured",
        f"{GOOD_KIT:g} mIU/mL",
        "admin",
    )
    action = admin_console.admin_actions(service, clinic.users["auditor"])[0]
    assert (action.action, action.subject, action.before, action.after) == (
        "changed setting",
        KIT,
        "not configured",
        f"{GOOD_KIT:g} mIU/mL",
    )


def test_a_kit_less_sensitive_than_the_programme_asks_is_refused_and_nothing_is_stored(
    service: Service, clinic: Clinic
) -> None:
    ana = _ana_tested_with_the_clinics_own_urine_kit(clinic)
    admin = clinic.users["admin"]
    date_2026 = EDITION_DATE + "us-ipledge-2026"
    for figure in (f"{WEAK_KIT:g}", "0", "-3", "twenty", "nan"):
        with pytest.raises(IsotrackInputError) as refused:
            # A valid date beside it is refused with it: a change is taken whole or not at all.
            clinic_settings.change_settings(service, admin, {date_2026: "2026-11-15", KIT: figure})
        problem = refused.value.problems[0]
        assert (problem.field, problem.value) == (KIT, figure)
        assert f"at most {LIMIT:g} mIU/mL" in problem.allowed
    assert clinic_settings.settings_history(service, admin) == []
    assert admin_console.admin_actions(service, admin) == []
    decision = dispensing.decide_dispense_today(service, clinic.users["pharmacist"], ana.id, None)
    assert not decision.authorized and decision.decision["policy"]["overrides"] == []


def test_the_2026_ipledge_date_is_one_of_the_dates_on_record_and_moves_the_2023_end(
    service: Service, clinic: Clinic
) -> None:
    admin = clinic.users["admin"]
    name = EDITION_DATE + "us-ipledge-2026"
    with pytest.raises(IsotrackInputError) as refused:
        clinic_settings.change_settings(service, admin, {name: "2026-09-01"})
    assert refused.value.problems[0].allowed == "one of 2026-08-08, 2026-11-15"
    clinic_settings.change_settings(service, admin, {name: "2026-11-15"})
    editions = {e.policy_id: e for e in clinic_settings.programme_settings(service, admin)}
    assert editions["us-ipledge-2026"].effective_from == dt.date(2026, 11, 15)
    assert editions["us-ipledge-2023"].effective_until == dt.date(2026, 11, 15)
    # On TODAY (15 Oct 2026) Maya's 2026-edition course is now judged before that edition
    # comes into force, and the decision says so.
    decision = dispensing.decide_dispense_today(
        service, clinic.users["pharmacist"], clinic.courses["demo-02"].id, None
    )
    assert decision.decision["policy"]["in_force"] is False
    assert any("in force from 2026-11-15" in o["description"]
               for o in decision.decision["policy"]["overrides"])  # fmt: skip


def test_a_clinic_adopts_the_stricter_reading_of_two_complementary_methods(
    service: Service, clinic: Clinic
) -> None:
    admin = clinic.users["admin"]
    name = ADOPTED + "eu-ppp-2018-hormonal-plus-barrier"
    specs = {s.spec.name: s for s in clinic_settings.programme_settings_in_force(service, admin)}
    assert specs[name].value is False and specs[name].sources
    clinic_settings.change_settings(service, admin, {name: "yes"})
    eu = service.knowledge().policy("eu-ppp-2018")
    # The same position and parameter as the knowledge base's example clinic policy.
    assert eu.positions["eu_complementary_methods"] == "hormonal_plus_barrier"
    assert eu.parameters["complementary_hormonal_methods_required"] == (
        "programme.eu.complementary_hormonal_methods_required"
    )
    assert all(o.reason.startswith("Clinic policy eu-ppp-2018-hormonal-plus-barrier adopted")
               for o in eu.overrides)  # fmt: skip


def test_every_door_sees_the_setting_another_process_made(
    settings: Settings, service: Service, clinic: Clinic, client: TestClient
) -> None:
    ana = _ana_tested_with_the_clinics_own_urine_kit(clinic)
    pharmacist = clinic.users["pharmacist"]
    assert _etasu_status(client, clinic, ana.id) == "data-required"
    assert not dispensing.decide_dispense_today(service, pharmacist, ana.id, None).authorized
    # Another worker process (its own service) takes the admin's change.
    other = open_service(settings, today=lambda: TODAY, pool_size=2)
    try:
        clinic_settings.change_settings(other, clinic.users["admin"], {KIT: f"{GOOD_KIT:g}"})
    finally:
        other.close()
    # This process's FHIR door and its dispense decision see it at their next call.
    assert _etasu_status(client, clinic, ana.id) != "data-required"
    assert dispensing.decide_dispense_today(service, pharmacist, ana.id, None).authorized


def test_only_an_admin_changes_a_programme_setting(service: Service, clinic: Clinic) -> None:
    for who in ("auditor", "dr.lee", "pharmacist"):
        with pytest.raises(ActionNotAllowed):
            clinic_settings.change_settings(service, clinic.users[who], {KIT: "20"})


def _etasu_status(client: TestClient, clinic: Clinic, course_id: str) -> str:
    """The overall status FHIR ``$rems-etasu`` gives for a course (asked by case number)."""
    request = {"resourceType": "Parameters",
               "parameter": [{"name": "case_number", "valueString": course_id}]}  # fmt: skip
    answer = client.post("/fhir/r4/GuidanceResponse/$rems-etasu", json=request,
                         headers=clinic.auth("pharmacist"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    status: str = answer.json()["parameter"][0]["resource"]["status"]
    return status


def _findings_on_ana_fill(service: Service) -> tuple[list[str], AuditSummary]:
    """The population audit of the store: what it found wrong with Ana's fill, and its notes."""
    options = AuditOptions(audit_date=TODAY, pseudonym_key=b"k" * 32, keep_findings=True)
    outcome = run_audit(StoreTimelines(service.database, "the clinic's store"), options)
    # Recorded late or not is beside the point here: the store stamps the wall clock, the
    # service's calendar is this clinic's TODAY.
    rules = [f.rule_id for f in outcome.findings
             if f.event_id == "ana-fill" and f.rule_id != "recording.late"]  # fmt: skip
    return rules, outcome.summary


def test_the_store_audit_judges_a_fill_with_the_clinics_kit_as_the_pharmacist_did(
    service: Service, clinic: Clinic
) -> None:
    # The admin set the clinic's kit; then the pharmacist asked about Ana's waiting prescription,
    # was told yes (the unlabelled urine test counts with the kit) and recorded the fill. The
    # population audit of the same store must judge that fill with the same settings, or it
    # reports a lawful fill as one without authorization.
    ana = _ana_tested_with_the_clinics_own_urine_kit(clinic)
    pharmacist = clinic.users["pharmacist"]
    clinic_settings.change_settings(service, clinic.users["admin"], {KIT: f"{GOOD_KIT:g}"})
    decision = dispensing.decide_dispense_today(service, pharmacist, ana.id, None)
    assert decision.authorized
    fill = {**_ana_fill(TODAY), "authorization_code": decision.code}
    record_event(service, pharmacist, ana.id, parse_event(fill))

    rules, summary = _findings_on_ana_fill(service)
    assert rules == []
    # The auditor reads which settings judged the fills, in the report as in the summary.
    assert any("in force when it was recorded" in note for note in summary.notes)
    assert "in force when it was recorded" in render_report(summary)


def test_a_fill_recorded_before_the_clinic_set_its_kit_is_judged_without_it(
    service: Service, clinic: Clinic
) -> None:
    # Ana's fill was recorded when the clinic had no kit on file: the unlabelled urine test was
    # "unknown" (decision 40), so no decision could have authorized it. The admin setting the
    # kit afterwards does not make that fill lawful in the audit (decision 60).
    _ana_tested_with_the_clinics_own_urine_kit(clinic, filled_on=TODAY)
    before_the_kit, _ = _findings_on_ana_fill(service)
    assert before_the_kit != []
    clinic_settings.change_settings(service, clinic.users["admin"], {KIT: f"{GOOD_KIT:g}"})
    after_the_kit, _ = _findings_on_ana_fill(service)
    assert after_the_kit == before_the_kit


def test_the_ehr_sees_a_changed_kit_on_its_next_call_about_the_same_course(
    service: Service, clinic: Clinic
) -> None:
    # An EHR asked about Ana's course before the admin set the kit; its next call the same day,
    # on the same unchanged course, must be judged with the kit, not from the answer kept.
    _ana_tested_with_the_clinics_own_urine_kit(clinic)
    patient = cds_patients.ehr_patient(service, "demo-ana")
    assert patient is not None
    before = cds_patients.course_answers(service, patient)
    assert before is not None and not before.programme.dispense_decision.authorized
    clinic_settings.change_settings(service, clinic.users["admin"], {KIT: f"{GOOD_KIT:g}"})
    after = cds_patients.course_answers(service, patient)
    assert after is not None and after.programme.dispense_decision.authorized
