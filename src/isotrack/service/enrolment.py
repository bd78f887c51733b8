"""Enrolling a patient and opening courses: one transaction each.

Enrolment registers the patient in the caller's care, opens the first course, and — when
asked — records the enrolment event and creates the patient's own sign-in, all committed
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.timeline import Patient, parse_event
from isotrack.knowledge import Knowledge
from isotrack.service.access import Action, not_found, require, require_event_type, require_patient
from isotrack.service.context import Service
from isotrack.service.worklist import update_row
from isotrack.store.courses import append_event, create_course, create_patient, read_course
from isotrack.store.patients import patient_record
from isotrack.store.users import Role, User, create_user, generate_password
from isotrack.store.worklist import drop_rows_of_patient


class NewPatient(BaseModel):
    """A patient enrolled by the clinic, with the first course under a policy."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$"
    )
    display_name: str = Field(min_length=1, max_length=200)
    birth_date: dt.date
    sex_at_birth: Literal["female", "male", "intersex", "unknown"]
    can_get_pregnant: bool
    policy: str = Field(min_length=1)
    registry_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="the programme's id for the patient (the iPLEDGE patient id), recorded "
        "with the enrolment; staff find the patient by it",
    )
    risk_form_signed_on: dt.date | None = Field(
        default=None, description="UK and EU: the day the acknowledgement-of-risk form was signed"
    )
    risk_form_signed_by: str | None = Field(
        default=None, min_length=1, max_length=200, description="who signed that form"
    )


class NewCourse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: str = Field(min_length=1)
    birth_date: dt.date
    sex_at_birth: Literal["female", "male", "intersex", "unknown"]
    can_get_pregnant: bool


@dataclass(frozen=True)
class Enrolment:
    patient_id: str
    course_id: str
    username: str | None
    password: str | None  # the patient's sign-in, shown once to the enrolling clinician


def _check_policy(knowledge: Knowledge, policy: str) -> None:
    if policy not in knowledge.policies:
        allowed = "one of: " + ", ".join(sorted(knowledge.policies))
        raise IsotrackInputError(
            [FieldProblem("body", "policy", policy, allowed)], "unknown policy"
        )


_USERNAME_SAFE = re.compile(r"[^a-z0-9]+")
USERNAME_BASE_CHARS = 40


def patient_username(display_name: str, patient_id: str) -> str:
    """A readable sign-in name: the patient's name plus the end of their record id."""
    # Cut so that a long name still makes a sign-in name the account table can hold.
    base = _USERNAME_SAFE.sub(".", display_name.lower()).strip(".")[:USERNAME_BASE_CHARS]
    base = base.strip(".") or "patient"
    suffix = _USERNAME_SAFE.sub("", patient_id.lower())[-4:]
    return f"{base}.{suffix}" if suffix else base


def enrol_patient(
    service: Service,
    user: User,
    new: NewPatient,
    *,
    enrolled_on: dt.date | None = None,
    create_sign_in: bool = False,
) -> Enrolment:
    """Register a patient in the caller's care and open their first course, in one
    transaction. With ``enrolled_on`` the enrolment event is recorded on that day; with
    ``create_sign_in`` the patient's own account is created (its password returned once)."""
    require(user, Action.ENROL_PATIENT)
    _check_policy(service.knowledge(), new.policy)
    if enrolled_on is not None:
        require_event_type(user, "enrolment")
    username = password = None
    with service.database.writing() as connection:
        patient_id = create_patient(
            connection,
            display_name=new.display_name,
            prescriber_user_id=user.care_prescriber_id,
            patient_id=new.id,
        )
        header = create_course(
            connection,
            patient=Patient(
                id=patient_id,
                birth_date=new.birth_date,
                sex_at_birth=new.sex_at_birth,
                can_get_pregnant=new.can_get_pregnant,
            ),
            policy=new.policy,
            created_by=user.username,
        )
        if enrolled_on is not None:
            category = "can_get_pregnant" if new.can_get_pregnant else "cannot_get_pregnant"
            data: dict[str, object] = {
                "id": "enrolment", "type": "enrolment", "date": enrolled_on.isoformat(),
                "category": category, "recorded_by": user.username,
            }  # fmt: skip
            if new.registry_id:
                data["registry_id"] = new.registry_id
            if new.risk_form_signed_on is not None:
                data["risk_form_signed_on"] = new.risk_form_signed_on.isoformat()
            if new.risk_form_signed_by:
                data["risk_form_signed_by"] = new.risk_form_signed_by
            event = parse_event(data)
            append_event(
                connection, header.id, event, recorded_by=user.username, expected_version=0
            )
        update_row(service, connection, header.id, read_course(connection, header.id).timeline())
        if create_sign_in:
            username = patient_username(new.display_name, patient_id)
            password = generate_password()
            create_user(
                connection,
                username=username,
                password=password,
                role=Role.PATIENT,
                display_name=new.display_name,
                patient_id=patient_id,
            )
    return Enrolment(patient_id, header.id, username, password)


def open_course(service: Service, user: User, patient_id: str, new: NewCourse) -> str:
    """A further course for a patient already in the caller's care; returns its id."""
    require(user, Action.OPEN_COURSE)
    _check_policy(service.knowledge(), new.policy)
    with service.database.writing() as connection:
        record = patient_record(connection, patient_id)
        if record is None:
            raise not_found(patient_id)
        require_patient(user, Action.OPEN_COURSE, record.id, record.prescriber_user_id)
        header = create_course(
            connection,
            patient=Patient(
                id=patient_id,
                birth_date=new.birth_date,
                sex_at_birth=new.sex_at_birth,
                can_get_pregnant=new.can_get_pregnant,
            ),
            policy=new.policy,
            created_by=user.username,
        )
        # The today list shows a patient's current course only: the new one takes the row.
        drop_rows_of_patient(connection, patient_id)
        update_row(service, connection, header.id, read_course(connection, header.id).timeline())
    return header.id
