"""The pages' side of the service's use cases: recording from forms, enrolling, the pharmacy.

Every rule is the service's; this module only shapes what the pages show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isotrack.domain.errors import EventTypeNotAllowed, IsotrackInputError
from isotrack.domain.events import Dispensed, EventBase, PrescriptionWritten
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.service import dispensing, enrolment, pharmacy, recording
from isotrack.service.accounts import Role
from isotrack.service.context import Service
from isotrack.service.dispensing import AuthorizationRecord
from isotrack.service.enrolment import Enrolment, NewPatient
from isotrack.service.queue_line import capsule_strength
from isotrack.web.session import WebUser
from isotrack.web.templating import long_date

PRESCRIBING_ROLES = (Role.PRESCRIBER.value, Role.DESIGNEE.value)


def record_event(service: Service, user: WebUser, course_id: str, event: EventBase) -> None:
    """Append one event as ``user`` with every rule of the service applied.

    Raises IsotrackInputError naming the field at fault (including a lab unit that does not fit
    the test, a home test the policy does not accept, or a role that may not record this), so
    that a form can show each next to its field.
    """
    try:
        recording.record_event(service, user.user, course_id, event)
    except EventTypeNotAllowed as refused:
        raise IsotrackInputError(refused.problems, "Not allowed") from None


def enrol(
    service: Service, user: WebUser, new: NewPatient, *, on: dt.date, create_sign_in: bool
) -> Enrolment:
    """Register a patient in the prescriber's care, open a course, record the enrolment, and
    (if asked) create the patient's own sign-in, whose password is shown once: one
    transaction (``service.enrolment.enrol_patient``)."""
    return enrolment.enrol_patient(
        service, user.user, new, enrolled_on=on, create_sign_in=create_sign_in
    )


@dataclass(frozen=True)
class PrescriptionChoice:
    """One prescription in the pharmacist's picker, in the words on the paper."""

    id: str
    label: str


@dataclass(frozen=True)
class DispenseMatch:
    """A course the pharmacist found, with the prescriptions they can check."""

    course_id: str
    patient_id: str
    patient_name: str
    policy_id: str
    policy_title: str
    summary: str
    prescriptions: list[PrescriptionChoice]  # newest first
    authorizations: list[AuthorizationRecord]  # newest first


def _label(service: Service, rx: PrescriptionWritten, filled: set[str]) -> str:
    product = service.knowledge().products.get(rx.product)
    name = product.name if product else rx.product
    state = "filled" if rx.id in filled else "waiting"
    return (
        f"Written {long_date(rx.date)}: {name}, {capsule_strength(service.knowledge(), rx)}, "
        f"{rx.daily_dose_mg:g} mg a day for {rx.days_supply} days ({state})"
    )


def _policy_title(service: Service, policy_id: str) -> str:
    policy = service.knowledge().policies.get(policy_id)
    return policy.title if policy else policy_id


def find_for_dispense(service: Service, user: WebUser, query: str) -> list[DispenseMatch]:
    """Courses matching a patient identifier or an authorization code (exact, any case)."""
    matches = []
    for found in pharmacy.find_for_dispense(service, user.user, query):
        header = found.header
        category = "can get pregnant" if header.can_get_pregnant else "cannot get pregnant"
        filled = {d.prescription_id for d in found.dispenses}
        matches.append(
            DispenseMatch(
                course_id=header.id,
                patient_id=header.patient_id,
                patient_name=found.patient_name,
                policy_id=header.policy,
                policy_title=_policy_title(service, header.policy),
                summary=f"born {long_date(header.birth_date)}, {category}",
                prescriptions=[
                    PrescriptionChoice(rx.id, _label(service, rx, filled))
                    for rx in reversed(found.prescriptions)
                ],
                authorizations=list(reversed(found.decisions)),
            )
        )
    return matches


def check_and_record(
    service: Service,
    user: WebUser,
    *,
    course_id: str,
    prescription_id: str | None,
) -> AuthorizationRecord:
    """Run the dispense decision for today and store it (committed before the page answers).

    The service's own decision path does the work, so the page and the API record decisions
    the same way, always as of the service's today (a backdated check once authorized an
    already dispensed prescription again).
    """
    return dispensing.decide_dispense_today(service, user.user, course_id, prescription_id or None)


def dispensed_with(timeline: Timeline, code: str) -> Dispensed | None:
    """The dispense already recorded under an authorization code, if any."""
    for event in events_of(effective_events(timeline), Dispensed):
        if event.authorization_code == code:
            return event
    return None
