"""The service's use cases called directly, as every door calls them (SQLite and PostgreSQL):
enrolment in one transaction, the one "course you may see" rule, the dispense decision and
the pharmacist's dispense against it, and where each door's error table sends each error."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from fastapi.testclient import TestClient
from service_clinic import TODAY, Clinic

from isotrack.api.problems import PROBLEM_TABLE, problem_for
from isotrack.domain import errors
from isotrack.domain.errors import (
    ActionNotAllowed,
    IsotrackError,
    IsotrackInputError,
    RecordNotFound,
    VersionMismatch,
)
from isotrack.service import courses, dispensing, enrolment
from isotrack.service.context import Service
from isotrack.service.enrolment import NewPatient
from isotrack.store.patients import patient_record
from isotrack.store.users import create_user
from isotrack.web import ERROR_PAGES, error_page


def _new_patient(patient_id: str) -> NewPatient:
    return NewPatient(
        id=patient_id,
        display_name="Ada Moreno",
        birth_date=dt.date(2004, 5, 1),
        sex_at_birth="female",
        can_get_pregnant=True,
        policy="us-ipledge-2023",
    )


def test_enrolment_records_the_course_the_enrolment_and_the_sign_in_together(
    service: Service, clinic: Clinic
) -> None:
    enrolled = enrolment.enrol_patient(
        service, clinic.users["nurse.kim"], _new_patient("pt-ada"),
        enrolled_on=TODAY, create_sign_in=True,
    )  # fmt: skip
    assert enrolled.username == "ada.moreno.tada" and enrolled.password
    # A designee enrols into their prescriber's care: dr.lee sees Ada's course.
    course = courses.visible_course(service, clinic.users["dr.lee"], enrolled.course_id)
    assert [e.type for e in course.events] == ["enrolment"]
    assert course.timeline().events[0].recorded_by == "nurse.kim"


def test_an_enrolment_whose_sign_in_cannot_be_made_leaves_nothing_behind(
    service: Service, clinic: Clinic
) -> None:
    with clinic.database.writing() as connection:  # the sign-in name is already taken
        create_user(
            connection, username="ada.moreno.tada", password="another long password",
            role=clinic.users["dr.lee"].role,
        )  # fmt: skip
    with pytest.raises(IsotrackInputError) as refused:
        enrolment.enrol_patient(
            service, clinic.users["dr.lee"], _new_patient("pt-ada"),
            enrolled_on=TODAY, create_sign_in=True,
        )  # fmt: skip
    assert refused.value.problems[0].field == "username"
    with clinic.database.reading() as connection:
        assert patient_record(connection, "pt-ada") is None  # one transaction: all or nothing


def test_a_course_out_of_reach_and_a_missing_course_are_told_apart_by_nobody(
    service: Service, clinic: Clinic
) -> None:
    lukas = clinic.courses["demo-09"].id  # dr.patel's patient
    for who, course_id in (("dr.lee", lukas), ("maya", lukas), ("dr.lee", "c-none")):
        with pytest.raises(RecordNotFound) as hidden:
            courses.visible_course(service, clinic.users[who], course_id)
        assert "that you may see" in hidden.value.summary
    with pytest.raises(ActionNotAllowed):  # the auditor sees counts, never a course
        courses.visible_course(service, clinic.users["auditor"], lukas)
    maya = courses.visible_course(service, clinic.users["maya"], clinic.courses["demo-02"].id)
    assert maya.header.patient_id == "demo-02"


def test_the_pharmacists_dispense_is_checked_by_the_same_rule_whichever_door(
    service: Service, clinic: Clinic
) -> None:
    pharmacist = clinic.users["pharmacist"]
    record, replayed = asyncio.run(
        dispensing.decide_dispense(service, pharmacist, clinic.courses["demo-02"].id, None)
    )
    assert record.authorized and not replayed and record.max_days_supply is not None
    too_many = str(record.max_days_supply + 1)
    with pytest.raises(IsotrackInputError) as refused:
        dispensing.record_dispense(
            service, pharmacist, record.code, dispensed_on=TODAY.isoformat(), days_supply=too_many
        )
    assert refused.value.problems[0].field == "days_supply"
    assert refused.value.problems[0].allowed == f"at most {record.max_days_supply}"
    recorded = dispensing.record_dispense(
        service, pharmacist, record.code, dispensed_on=TODAY.isoformat(),
        days_supply=str(record.max_days_supply),
    )  # fmt: skip
    assert recorded.body["event"]["authorization_code"] == record.code


def test_a_decision_from_a_worker_thread_is_recorded_for_the_services_today(
    service: Service, clinic: Clinic
) -> None:
    # Issue 16: a decision "as of" another day authorized an already dispensed prescription
    # again; every recorded decision is now for the service's own today.
    record = dispensing.decide_dispense_today(
        service, clinic.users["pharmacist"], clinic.courses["demo-02"].id, None
    )
    assert record.decided_on == TODAY
    assert dispensing.authorization(service, clinic.users["dr.lee"], record.code) == record


def test_a_bearer_token_sent_as_the_session_cookie_opens_no_page(
    client: TestClient, clinic: Clinic
) -> None:
    # issue 12: the pages accept browser sessions only; an API token is not one.
    client.cookies.set("isotrack_session", clinic.tokens["dr.lee"])
    page = client.get("/today", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin")


def _error_kinds() -> list[type[IsotrackError]]:
    return [
        kind for kind in vars(errors).values()
        if isinstance(kind, type) and issubclass(kind, IsotrackError)
    ]  # fmt: skip


def test_every_domain_error_has_a_row_in_the_api_table_and_the_web_table() -> None:
    def answered(kind: type[IsotrackError], table: dict[type[IsotrackError], object]) -> bool:
        return any(c in table for c in kind.__mro__)

    kinds = [k for k in _error_kinds() if k is not IsotrackError]
    assert [k.__name__ for k in kinds if not answered(k, PROBLEM_TABLE)] == []
    # Sign-in errors are answered by the sign-in page itself, never by the error page.
    unanswered_pages = [k.__name__ for k in kinds if not answered(k, ERROR_PAGES)]
    assert unanswered_pages == ["SignInFailed", "SecondFactorRequired", "SignInThrottled"]


def test_the_api_table_gives_status_headers_and_fields_of_each_error() -> None:
    stale = VersionMismatch(
        "the course is at version 3, not 2", course_id="c-1", current=3, expected=2,
        current_etag='"c-1.v3"',
    )  # fmt: skip
    problem = problem_for(stale)
    assert (problem.status, problem.kind, problem.headers["ETag"]) == (
        412, "version-mismatch", '"c-1.v3"',
    )  # fmt: skip
    assert problem.extra == {"current_version": 3}
    hidden = problem_for(RecordNotFound("no record 'c-9' that you may see"))
    assert (hidden.status, hidden.detail) == (404, "no record 'c-9' that you may see")
    # A subclass without a row of its own answers as its nearest ancestor.
    assert problem_for(errors.EventTypeNotAllowed("no")).status == 403
    assert error_page(errors.EventTypeNotAllowed("no"))[0] == 403
    assert error_page(RecordNotFound("x"))[0] == 404
