"""Who may do what: every access rule of the service, in this one module.

Two questions are asked of every request: may this role ever do this action
(:data:`ROLE_ACTIONS`, else :class:`ActionNotAllowed`), and is this patient within the user's
reach (:func:`within_reach`, else :class:`RecordNotFound`, so that the existence of other
patients is not revealed).
Which event types a role may record is :data:`EVENT_TYPES_BY_ROLE`.
"""

from __future__ import annotations

from enum import StrEnum

from isotrack.domain.errors import (
    ActionNotAllowed,
    EventTypeNotAllowed,
    FieldProblem,
    RecordNotFound,
)
from isotrack.store.users import Role, User


class Action(StrEnum):
    MANAGE_USERS = "manage_users"
    LIST_PATIENTS = "list_patients"
    ENROL_PATIENT = "enrol_patient"
    READ_PATIENT = "read_patient"
    OPEN_COURSE = "open_course"
    READ_COURSE = "read_course"  # timeline, events, evaluation, schedule, export
    APPEND_EVENT = "append_event"
    DECIDE_DISPENSE = "decide_dispense"  # records an authorization
    READ_DISPENSE_DECISIONS = "read_dispense_decisions"
    FIND_PRESCRIPTIONS = "find_prescriptions"  # pharmacy lookup by patient id
    PLAN_COURSE = "plan_course"
    READ_FACTS = "read_facts"
    READ_AGGREGATES = "read_aggregates"
    RUN_AUDIT = "run_audit"  # a population audit of the whole store (pseudonymised outputs)
    READ_ACCESS_LOG = "read_access_log"  # who saw a patient's record (prescriber, auditor)
    BREAK_GLASS = "break_glass"  # a logged, reasoned look at a record out of one's reach
    READ_ACCOUNTS = "read_accounts"  # the list of accounts, roles and links (admin, auditor)
    REVIEW_ACCESS_LOG = "review_access_log"  # the whole access log, filtered (admin, auditor)
    READ_SETTINGS = "read_settings"  # the clinic's and the programme's settings
    CHANGE_SETTINGS = "change_settings"


_CLINIC = frozenset(
    {
        Action.LIST_PATIENTS,
        Action.ENROL_PATIENT,
        Action.READ_PATIENT,
        Action.OPEN_COURSE,
        Action.READ_COURSE,
        Action.APPEND_EVENT,
        Action.READ_DISPENSE_DECISIONS,
        Action.PLAN_COURSE,
        Action.READ_FACTS,
    }
)

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    # Admin runs the accounts and sees no clinical record, except through break-glass.
    Role.ADMIN: frozenset(
        {
            Action.MANAGE_USERS,
            Action.READ_FACTS,
            Action.BREAK_GLASS,
            Action.READ_ACCOUNTS,
            Action.REVIEW_ACCESS_LOG,
            Action.READ_SETTINGS,
            Action.CHANGE_SETTINGS,
        }
    ),
    # A prescriber may also break the glass: read, for a while, the course of a patient in
    # another prescriber's care (covering in an emergency), with a reason, logged.
    Role.PRESCRIBER: _CLINIC | {Action.READ_ACCESS_LOG, Action.BREAK_GLASS},
    Role.DESIGNEE: _CLINIC,
    # The pharmacy sees decisions and prescriptions, not the clinical record.
    Role.PHARMACIST: frozenset(
        {
            Action.DECIDE_DISPENSE,
            Action.READ_DISPENSE_DECISIONS,
            Action.FIND_PRESCRIPTIONS,
            Action.APPEND_EVENT,
            Action.READ_FACTS,
        }
    ),
    Role.PATIENT: frozenset(
        {Action.READ_PATIENT, Action.READ_COURSE, Action.APPEND_EVENT, Action.READ_FACTS}
    ),
    # The auditor reads the accounts, the whole access log and the settings, changes none.
    Role.AUDITOR: frozenset(
        {
            Action.READ_AGGREGATES,
            Action.READ_FACTS,
            Action.RUN_AUDIT,
            Action.READ_ACCESS_LOG,
            Action.READ_ACCOUNTS,
            Action.REVIEW_ACCESS_LOG,
            Action.READ_SETTINGS,
        }
    ),
}

# Events a patient reports about themself (a home pregnancy test only where the policy
# allows one; see ``isotrack.service.event_rules``). An acne assessment from a patient is a
# self-report: the service sets ``assessed_by`` from the role (``service.biology``).
SELF_REPORTED_EVENT_TYPES = frozenset(
    {
        "pregnancy_test",
        "dose_missed",
        "adverse_event",
        "mood_screen",
        "acne_assessment",
        # Only where the programme has the patient enter them (event_rules; decision 42).
        "comprehension_check",
        "contraception",
    }
)
_ALL_CLINICAL = frozenset(
    {
        "weight",
        "prescription",
        "dose_change",
        "dose_missed",
        "pause",
        "resume",
        "course_start",
        "course_end",
        "pregnancy_test",
        "contraception",
        "counselling",
        "comprehension_check",
        "enrolment",
        "category",
        "lab_result",
        "adverse_event",
        "mood_screen",
        "assessment",
        "acne_assessment",
        "medication",
        "condition",
        "allergy",
        "visit",
        "pregnancy_reported",
        "pregnancy_outcome",
        "alert_review",
        "course_plan",
        "void",
        "amend",
    }
)

EVENT_TYPES_BY_ROLE: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset(),
    # A dispense is recorded by the pharmacy against an authorization, never by the clinic.
    Role.PRESCRIBER: _ALL_CLINICAL,
    # A designee prepares everything but cannot sign a prescription nor review an alert
    # (lifting a clinical hold is the prescriber's judgement).
    Role.DESIGNEE: _ALL_CLINICAL - {"prescription", "alert_review"},
    Role.PHARMACIST: frozenset({"dispense"}),
    Role.PATIENT: SELF_REPORTED_EVENT_TYPES,
    Role.AUDITOR: frozenset(),
}

# Actions whose target patient must be within the user's reach. The pharmacist's actions
# reach any patient: a pharmacy serves whoever brings a prescription.
_PHARMACY_ANY_PATIENT = frozenset(
    {
        Action.DECIDE_DISPENSE,
        Action.READ_DISPENSE_DECISIONS,
        Action.FIND_PRESCRIPTIONS,
        Action.APPEND_EVENT,
    }
)


def allows(user: User, action: Action) -> bool:
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: User, action: Action) -> None:
    """:class:`ActionNotAllowed` unless the user's role may ever do ``action``."""
    if not allows(user, action):
        raise ActionNotAllowed(f"role {user.role.value!r} may not {action.value.replace('_', ' ')}")


def within_reach(user: User, patient_id: str, prescriber_user_id: str | None) -> bool:
    """Whether the patient is one this user looks after, is, or (pharmacy) serves."""
    if user.role is Role.PATIENT:
        return user.patient_id == patient_id
    if user.role in (Role.PRESCRIBER, Role.DESIGNEE):
        return prescriber_user_id is not None and prescriber_user_id == user.care_prescriber_id
    return user.role is Role.PHARMACIST


def require_patient(
    user: User, action: Action, patient_id: str, prescriber_user_id: str | None
) -> None:
    """:class:`ActionNotAllowed` if the role may never do ``action``;
    :class:`RecordNotFound` if this patient is out of reach."""
    require(user, action)
    if user.role is Role.PHARMACIST and action not in _PHARMACY_ANY_PATIENT:
        raise not_found(patient_id)
    if not within_reach(user, patient_id, prescriber_user_id):
        raise not_found(patient_id)


def not_found(what: str) -> RecordNotFound:
    return RecordNotFound(f"no record {what!r} that you may see")


def recordable_types(user: User) -> frozenset[str]:
    """The event types this user's role records, and so may correct (void or amend)."""
    return EVENT_TYPES_BY_ROLE.get(user.role, frozenset())


def require_correctable(user: User, target_type: str, target_id: str) -> None:
    """A void or an amendment counts as recording its target's type again: a designee who may
    not sign a prescription may not change or withdraw one either (nor an alert review)."""
    allowed = recordable_types(user)
    if target_type not in allowed:
        raise EventTypeNotAllowed(
            f"role {user.role.value!r} may not correct {target_type!r} events",
            [FieldProblem("body", "target_id", target_id,
                          f"an event of a type your role records, not {target_type!r}")],
        )  # fmt: skip


def require_event_type(user: User, event_type: str) -> None:
    """:class:`EventTypeNotAllowed` naming the ``type`` field and the types this role may
    record."""
    allowed = EVENT_TYPES_BY_ROLE.get(user.role, frozenset())
    if event_type not in allowed:
        raise EventTypeNotAllowed(
            f"role {user.role.value!r} may not record {event_type!r} events",
            [
                FieldProblem(
                    "body",
                    "type",
                    event_type,
                    "one of: " + ", ".join(sorted(allowed))
                    if allowed
                    else "none: this role records no events",
                )
            ],
        )
