"""Issue 17's admin console through the service (SQLite and PostgreSQL): accounts with their
links, every live session, the whole access log filtered, the clinic's settings. An admin
changes; an auditor reads; nobody else sees any of it; a refused change changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from service_clinic import PASSWORD, TODAY, Clinic

from isotrack.domain.errors import ActionNotAllowed, IsotrackInputError, RecordNotFound
from isotrack.service import accounts, admin_console, clinic_settings, courses
from isotrack.service.accounts import Role, SessionKind
from isotrack.service.context import Service, open_service
from isotrack.service.settings import Settings


@pytest.fixture
def service(settings: Settings, clinic: Clinic) -> Iterator[Service]:
    running = open_service(settings, today=lambda: TODAY, pool_size=4)
    yield running
    running.close()


def test_the_admin_sees_every_account_with_its_links_and_the_auditor_reads_the_same(
    service: Service, clinic: Clinic
) -> None:
    rows = {
        r.user.username: r for r in admin_console.accounts_overview(service, clinic.users["admin"])
    }
    assert rows["nurse.kim"].prescriber_username == "dr.lee"
    assert rows["maya"].linked_to_patient and not rows["dr.lee"].linked_to_patient
    assert rows["dr.lee"].live_sessions == 1
    audited = admin_console.accounts_overview(service, clinic.users["auditor"])
    assert [r.user.username for r in audited] == list(rows)
    with pytest.raises(ActionNotAllowed):
        accounts.create_account(service, clinic.users["auditor"], username="x.y", role=Role.AUDITOR)
    for staff in ("dr.lee", "nurse.kim", "pharmacist", "maya"):
        with pytest.raises(ActionNotAllowed):
            admin_console.accounts_overview(service, clinic.users[staff])


def test_a_designee_is_linked_to_another_prescriber_only(service: Service, clinic: Clinic) -> None:
    admin = clinic.users["admin"]
    kim = clinic.users["nurse.kim"]
    with pytest.raises(IsotrackInputError) as refused:
        admin_console.link_designee(service, admin, kim.id, "pharmacist")
    problem = refused.value.problems[0]
    assert (problem.field, problem.value) == ("prescriber", "pharmacist")
    assert "active prescriber" in problem.allowed
    with pytest.raises(IsotrackInputError) as not_designee:
        admin_console.link_designee(service, admin, clinic.users["dr.lee"].id, "dr.patel")
    assert not_designee.value.problems[0].field == "user"
    admin_console.link_designee(service, admin, kim.id, "dr.patel")
    rows = {r.user.username: r for r in admin_console.accounts_overview(service, admin)}
    assert rows["nurse.kim"].prescriber_username == "dr.patel"
    # Her session ended; signed in again she sees dr.patel's patient, not dr.lee's.
    assert (
        accounts.session_of_token(service, clinic.tokens["nurse.kim"], on_event_loop=False) is None
    )
    kim_now, _ = accounts.sign_in(service, "nurse.kim", PASSWORD, SessionKind.BEARER)
    courses.visible_course_header(service, kim_now, clinic.courses["demo-09"].id)
    with pytest.raises(RecordNotFound):
        courses.visible_course_header(service, kim_now, clinic.courses["demo-02"].id)


def test_an_admin_deactivates_others_but_never_their_own_account(
    service: Service, clinic: Clinic
) -> None:
    admin = clinic.users["admin"]
    with pytest.raises(IsotrackInputError) as refused:
        accounts.deactivate_account(service, admin, admin.id)
    assert refused.value.problems[0].value == "admin"
    accounts.deactivate_account(service, admin, clinic.users["pharmacist"].id)
    with pytest.raises(Exception, match="wrong password"):
        accounts.sign_in(service, "pharmacist", PASSWORD, SessionKind.BEARER)
    accounts.set_account_active(service, admin, clinic.users["pharmacist"].id, active=True)
    accounts.sign_in(service, "pharmacist", PASSWORD, SessionKind.BEARER)


def test_the_admin_lists_every_live_session_and_ends_one(service: Service, clinic: Clinic) -> None:
    admin = clinic.users["admin"]
    live = admin_console.live_sessions(service, admin)
    assert {s.username for s in live} >= {"dr.lee", "pharmacist", "maya"}
    lee = next(s for s in live if s.username == "dr.lee")
    admin_console.end_any_session(service, admin, lee.session_id)
    assert accounts.session_of_token(service, clinic.tokens["dr.lee"], on_event_loop=False) is None
    with pytest.raises(RecordNotFound):
        admin_console.end_any_session(service, admin, lee.session_id)
    with pytest.raises(ActionNotAllowed):
        admin_console.live_sessions(service, clinic.users["auditor"])


def _read(service: Service, clinic: Clinic, who: str, patient: str) -> None:
    courses.visible_course_header(service, clinic.users[who], clinic.courses[patient].id)


def test_the_access_log_is_filtered_by_person_course_and_day(
    service: Service, clinic: Clinic
) -> None:
    _read(service, clinic, "dr.lee", "demo-02")
    _read(service, clinic, "nurse.kim", "demo-01")
    _read(service, clinic, "dr.patel", "demo-09")
    auditor = clinic.users["auditor"]
    everyone = admin_console.review_access_log(service, auditor).entries
    assert {e.username for e in everyone} >= {"dr.lee", "nurse.kim", "dr.patel"}
    by_kim = admin_console.review_access_log(service, auditor, username="nurse.kim").entries
    assert by_kim and {e.username for e in by_kim} == {"nurse.kim"}
    maya = clinic.courses["demo-02"].id
    of_maya = admin_console.review_access_log(service, clinic.users["admin"], course_id=maya)
    assert of_maya.entries and {e.course_id for e in of_maya.entries} == {maya}
    # Rows carry the server's UTC time of writing: today's UTC day holds them, tomorrow none.
    written = dt.date.fromisoformat(everyone[0].at[:10])
    same_day = admin_console.review_access_log(
        service, auditor, date_from=written.isoformat(), date_to=written.isoformat()
    )
    assert len(same_day.entries) == len(everyone)
    later = (written + dt.timedelta(days=1)).isoformat()
    assert admin_console.review_access_log(service, auditor, date_from=later).entries == []
    limited = admin_console.review_access_log(service, auditor, limit=1)
    assert len(limited.entries) == 1 and limited.more


def test_an_access_log_filter_that_is_not_a_date_is_named(service: Service, clinic: Clinic) -> None:
    auditor = clinic.users["auditor"]
    with pytest.raises(IsotrackInputError) as refused:
        admin_console.review_access_log(service, auditor, date_from="30/11/2026")
    problem = refused.value.problems[0]
    assert (problem.field, problem.value, problem.allowed) == (
        "date_from", "30/11/2026", "a date as YYYY-MM-DD",
    )  # fmt: skip
    with pytest.raises(IsotrackInputError) as backwards:
        admin_console.review_access_log(
            service, auditor, date_from="2026-11-30", date_to="2026-11-01"
        )
    assert backwards.value.problems[0].field == "date_to"
    for who in ("dr.lee", "pharmacist", "maya"):
        with pytest.raises(ActionNotAllowed):
            admin_console.review_access_log(service, clinic.users[who])


def test_a_refused_setting_changes_nothing_and_a_valid_one_is_kept_with_who_chose_it(
    service: Service, clinic: Clinic
) -> None:
    admin = clinic.users["admin"]
    with pytest.raises(IsotrackInputError) as refused:
        clinic_settings.change_settings(
            service, admin,
            {clinic_settings.LIPIDS_GLUCOSE: "mmol/L", clinic_settings.ENZYMES: "IU/mL"},
        )  # fmt: skip
    problem = refused.value.problems[0]
    assert (problem.field, problem.value) == (clinic_settings.ENZYMES, "IU/mL")
    assert problem.allowed == "one of U/L, µkat/L"
    assert clinic_settings.display_units(service) == clinic_settings.DisplayUnits("mg/dL", "U/L")
    changed = clinic_settings.change_settings(
        service, admin,
        {clinic_settings.LIPIDS_GLUCOSE: "mmol/L", clinic_settings.ENZYMES: "µkat/L"},
    )  # fmt: skip
    assert set(changed) == {clinic_settings.LIPIDS_GLUCOSE, clinic_settings.ENZYMES}
    assert clinic_settings.display_units(service) == clinic_settings.DisplayUnits(
        "mmol/L", "µkat/L"
    )
    in_force = {
        s.spec.name: s for s in clinic_settings.settings_in_force(service, clinic.users["auditor"])
    }
    chosen = in_force[clinic_settings.ENZYMES].changed
    assert chosen is not None and chosen.changed_by == "admin"
    # Choosing the same again stores nothing new.
    assert (
        clinic_settings.change_settings(service, admin, {clinic_settings.ENZYMES: "µkat/L"}) == []
    )
    with pytest.raises(ActionNotAllowed):
        clinic_settings.change_settings(service, clinic.users["auditor"], {})
    with pytest.raises(ActionNotAllowed):
        clinic_settings.settings_in_force(service, clinic.users["dr.lee"])


def test_the_programme_settings_show_each_edition_with_its_dates_and_overrides(
    service: Service, clinic: Clinic
) -> None:
    editions = {
        e.policy_id: e for e in clinic_settings.programme_settings(service, clinic.users["admin"])
    }
    ipledge_2026 = editions["us-ipledge-2026"]
    assert ipledge_2026.effective_from == dt.date(2026, 8, 8)
    assert editions["us-ipledge-2023"].effective_until == dt.date(2026, 8, 8)
    assert ipledge_2026.min_sensitivity == "25 mIU/mL"
    clinic_policies = [e for e in editions.values() if e.extends]
    assert clinic_policies and all(e.overrides for e in clinic_policies)


def test_a_clinic_shows_lipids_in_mmol_and_enzymes_in_microkatal() -> None:
    mmol = clinic_settings.DisplayUnits("mmol/L", "µkat/L")
    assert mmol.shown_unit("mg/dL", ["mg/dL", "mmol/L"]) == "mmol/L"
    assert mmol.shown_unit("U/L", ["U/L", "ukat/L"]) == "ukat/L"
    # Bilirubin (mg/dL or µmol/L) and counts are outside both choices: stored unit shown.
    assert mmol.shown_unit("mg/dL", ["mg/dL", "umol/L"]) == "mg/dL"
    assert clinic_settings.DisplayUnits().shown_unit("U/L", ["U/L", "ukat/L"]) == "U/L"
