"""Finding patients and the pharmacy's queue (issue 17), through the service's use cases on
SQLite and PostgreSQL.

Dr Lee's clinic enrols Ana María Núñez with her iPLEDGE patient id; Dr Patel's clinic enrols
another Ana. Each prescriber finds only their own Ana; the pharmacy finds both, by any part of
the name in any case, by the birth date as staff type it, and by the programme id.
"""

from __future__ import annotations

import datetime as dt

import pytest
from service_clinic import TODAY, Clinic

from isotrack.domain.errors import ActionNotAllowed, IsotrackInputError
from isotrack.domain.events import PrescriptionWritten
from isotrack.service import courses, enrolment, pharmacy_queue, search
from isotrack.service.context import Service
from isotrack.service.enrolment import NewPatient


def _enrol(service: Service, clinic: Clinic, who: str, name: str, **extra: object) -> str:
    new = NewPatient(
        display_name=name,
        birth_date=extra.pop("birth_date", dt.date(1999, 4, 2)),  # type: ignore[arg-type]
        sex_at_birth="female",
        can_get_pregnant=True,
        policy="us-ipledge-2026",
        **extra,  # type: ignore[arg-type]
    )
    done = enrolment.enrol_patient(service, clinic.users[who], new, enrolled_on=TODAY)
    return done.patient_id


def test_each_prescriber_finds_only_the_patients_in_their_care(
    service: Service, clinic: Clinic
) -> None:
    lee_ana = _enrol(service, clinic, "dr.lee", "Ana María Núñez", registry_id="IPL-4471-22")
    patel_ana = _enrol(service, clinic, "dr.patel", "Ana Silva", birth_date=dt.date(1988, 1, 5))

    found_by_lee = search.search_patients(service, clinic.users["dr.lee"], "ana")
    assert [f.patient_id for f in found_by_lee] == [lee_ana]
    # The designee acts for dr.lee and sees the same patients.
    assert [
        f.patient_id for f in search.search_patients(service, clinic.users["nurse.kim"], "ANA")
    ] == [lee_ana]
    found_by_patel = search.search_patients(service, clinic.users["dr.patel"], "ana")
    assert [f.patient_id for f in found_by_patel] == [patel_ana]
    # The pharmacy serves whoever brings a prescription: both Anas.
    pharmacy = search.search_patients(service, clinic.users["pharmacist"], "ana")
    assert {f.patient_id for f in pharmacy} == {lee_ana, patel_ana}


def test_a_patient_is_found_by_part_of_the_name_the_birth_date_or_the_programme_id(
    service: Service, clinic: Clinic
) -> None:
    ana = _enrol(service, clinic, "dr.lee", "Ana María Núñez", registry_id="IPL-4471-22")
    lee = clinic.users["dr.lee"]
    for text, matched in (
        ("maría núñez", "name"),  # words of the name in any order or case
        ("NÚÑEZ ana", "name"),
        ("1999-04-02", "birth date"),
        ("02/04/1999", "birth date"),  # day first, as written on a form
        ("4471", "programme id"),  # part of the iPLEDGE patient id
        (ana[:6], "isotrack id"),
    ):
        found = search.search_patients(service, lee, text)
        assert [f.patient_id for f in found] == [ana], text
        assert matched in found[0].matched_on, text
    assert search.search_patients(service, lee, "4471")[0].programme_ids == ("IPL-4471-22",)
    assert search.search_patients(service, lee, "Zoë") == []
    assert search.search_patients(service, lee, "   ") == []
    # A made-up record id is not shown to staff as if it were the clinic's number.
    assert search.search_patients(service, lee, "ana")[0].clinic_number is None


def test_wildcards_typed_by_staff_match_themselves_only(service: Service, clinic: Clinic) -> None:
    _enrol(service, clinic, "dr.lee", "Ana María Núñez")
    assert search.search_patients(service, clinic.users["dr.lee"], "%") == []
    assert search.search_patients(service, clinic.users["dr.lee"], "_") == []


def test_roles_without_patients_search_nobody_and_a_pasted_page_is_refused(
    service: Service, clinic: Clinic
) -> None:
    for role in ("admin", "auditor", "maya"):
        with pytest.raises(ActionNotAllowed):
            search.search_patients(service, clinic.users[role], "demo")
    with pytest.raises(IsotrackInputError) as refused:
        search.search_patients(service, clinic.users["dr.lee"], "x" * 201)
    assert refused.value.problems[0].field == "q"


def test_the_queue_lists_each_unfilled_prescription_with_todays_unrecorded_decision(
    service: Service, clinic: Clinic
) -> None:
    pharmacist = clinic.users["pharmacist"]
    waiting = pharmacy_queue.waiting_prescriptions(service, pharmacist).rows
    # Maya (demo-02) has a prescription awaiting pick-up; Jonas's and Lukas's were all filled.
    assert [w.patient_id for w in waiting] == ["demo-02"]
    maya = waiting[0]
    # The one written yesterday, still in the pharmacy's hands (the newest of her course).
    timeline = courses.visible_course(service, clinic.users["dr.lee"], maya.course_id).timeline()
    newest = [e for e in timeline.events if isinstance(e, PrescriptionWritten)][-1]
    assert maya.prescription.id == newest.id
    assert maya.product_name and "mg" in maya.strength
    assert maya.prescriber_name == clinic.users["dr.lee"].display_name
    assert maya.decision.authorized and maya.decision.dispense_by is not None
    # Showing the queue records nothing: no decision is in the authorization log yet.
    assert service.authorizations.of_course(clinic.courses["demo-02"].id) == []
    with pytest.raises(ActionNotAllowed):
        pharmacy_queue.waiting_prescriptions(service, clinic.users["dr.lee"])


def test_api_search_answers_with_what_matched(client, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    found = client.get("/api/v1/patients", params={"q": "DEMO-0"}, headers=clinic.auth("dr.lee"))
    assert found.status_code == 200
    assert sorted(p["id"] for p in found.json()) == ["demo-01", "demo-02"]
    assert found.json()[0]["matched_on"] == ["name", "isotrack id"]
    everyone = client.get(
        "/api/v1/patients", params={"q": "demo"}, headers=clinic.auth("pharmacist")
    )
    assert {p["id"] for p in everyone.json()} == {"demo-01", "demo-02", "demo-09"}
    refused = client.get("/api/v1/patients", params={"q": "demo"}, headers=clinic.auth("auditor"))
    assert refused.status_code == 403
