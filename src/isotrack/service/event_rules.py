"""The checks of an append that depend on the course as it stands at that moment: a patient's
home pregnancy test, a pharmacist's dispense against its authorization, a prescription's
order-entry check and an alert review's alert."""

from __future__ import annotations

from collections.abc import Callable

from isotrack.domain.errors import rejected_field
from isotrack.domain.events import (
    AlertReviewed,
    ComprehensionChecked,
    ContraceptionRecorded,
    CoursePlanned,
    Dispensed,
    EventAmended,
    EventBase,
    EventVoided,
    PregnancyTestTaken,
    PrescriptionWritten,
)
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.programme import home_test_accepted
from isotrack.service.access import require_correctable
from isotrack.service.context import Service
from isotrack.service.order_entry import require_known_alert, require_signable
from isotrack.service.patient_self import patient_enters_monthly_steps
from isotrack.service.plan_rules import check_plan
from isotrack.store.users import Role, User


def role_check(
    service: Service, user: User, course_id: str
) -> Callable[[Timeline, EventBase], None]:
    """The check the store runs inside the append's transaction, on the current timeline."""
    knowledge = service.knowledge()

    def check(timeline: Timeline, event: EventBase) -> None:
        if isinstance(event, EventVoided | EventAmended):
            target = next((e for e in timeline.events if e.id == event.target_id), None)
            if target is not None:  # an unknown target is refused with the timeline's rules
                require_correctable(user, target.type, target.id)
        if user.role is Role.PATIENT and isinstance(event, PregnancyTestTaken):
            if event.setting != "home":
                raise rejected_field(
                    "setting",
                    event.setting,
                    "home (clinics and laboratories record their own tests)",
                    "a patient reports home tests only",
                )
            if not home_test_accepted(knowledge, timeline, event.date):
                raise rejected_field(
                    "setting",
                    event.setting,
                    f"no setting a patient can report: policy {timeline.policy!r} does not "
                    f"accept a home test on {event.date.isoformat()} (before the first dose, "
                    "or not in this edition)",
                    "home test not accepted under this policy",
                )
        if (
            user.role is Role.PATIENT
            and isinstance(event, ComprehensionChecked | ContraceptionRecorded)
            and not patient_enters_monthly_steps(knowledge, timeline, event.date)
        ):
            raise rejected_field(
                "type",
                event.type,
                "events your care team records: under this programme the prescriber records "
                "the comprehension check and the contraception",
                "not entered by the patient under this programme",
            )
        if user.role is Role.PHARMACIST and isinstance(event, Dispensed):
            check_dispense_authorization(service, course_id, timeline, event)
        last_day = event.do_not_dispense_after if isinstance(event, Dispensed) else None
        if last_day is not None and event.date > last_day:
            raise rejected_field(
                "date",
                event.date.isoformat(),
                f"on or before {last_day.isoformat()}, the programme authorization's "
                "do-not-dispense-after date",
                "the programme authorization has expired",
            )
        if isinstance(event, PrescriptionWritten):
            # Sent as a bare event: no reviews and no confirmations come with it (the
            # prescription use case, service.prescribing, carries both).
            require_signable(knowledge, timeline, event, service.today())
        if isinstance(event, AlertReviewed):
            require_known_alert(knowledge, timeline, event, max(event.date, service.today()))
        if isinstance(event, CoursePlanned):
            check_plan(knowledge, timeline, event)

    return check


def check_dispense_authorization(
    service: Service, course_id: str, timeline: Timeline, event: Dispensed
) -> None:
    """A pharmacist's dispense must rest on an authorization recorded for this prescription,
    used once, on or before its dispense-by date and within its days' supply."""
    code = event.authorization_code
    if not code:
        raise rejected_field(
            "authorization_code",
            code,
            "the code of an authorized dispense decision",
            "a dispense needs its authorization code",
        )
    record = service.authorizations.by_code(code)
    if record is None or record.course_id != course_id:
        raise rejected_field(
            "authorization_code",
            code,
            "a code issued for this course",
            "unknown authorization code",
        )
    if not record.authorized:
        raise rejected_field(
            "authorization_code",
            code,
            "the code of an AUTHORIZED decision",
            "this decision refused the dispense",
        )
    if record.prescription_id != event.prescription_id:
        raise rejected_field(
            "prescription_id",
            event.prescription_id,
            record.prescription_id or "(the authorization names no prescription)",
            "the authorization is for another prescription",
        )
    if event.date < record.decided_on or (record.dispense_by and event.date > record.dispense_by):
        until = record.dispense_by.isoformat() if record.dispense_by else "(no limit)"
        raise rejected_field(
            "date",
            event.date.isoformat(),
            f"from {record.decided_on.isoformat()} to {until}",
            "dispense date outside the authorization",
        )
    if record.max_days_supply is not None and event.days_supply > record.max_days_supply:
        raise rejected_field(
            "days_supply",
            event.days_supply,
            f"at most {record.max_days_supply}",
            "more days than the authorization allows",
        )
    dispenses = events_of(effective_events(timeline), Dispensed)
    used = [
        d.id
        for d in dispenses
        if d.authorization_code and d.authorization_code.upper() == code.upper()
    ]
    filled = [d for d in dispenses if d.prescription_id == event.prescription_id]
    if filled and not used:
        raise rejected_field(
            "prescription_id",
            event.prescription_id,
            "a prescription not yet dispensed (a prescription is dispensed once)",
            f"already dispensed on {filled[0].date.isoformat()} (dispense {filled[0].id!r})",
        )
    if used:
        raise rejected_field(
            "authorization_code",
            code,
            "a code not yet used for a dispense",
            f"already used by dispense {used[0]!r}",
        )
