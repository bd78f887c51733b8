"""What a patient does for themself: their e-mail, language and reminders, their calendar
subscription links, and the programme's monthly steps a patient may enter in the app
(comprehension questions, contraception confirmation) where the programme allows it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from isotrack.domain.errors import rejected_field
from isotrack.domain.events import ComprehensionChecked
from isotrack.domain.timeline import Timeline
from isotrack.engines.programme.policy import active_policy
from isotrack.knowledge import Knowledge
from isotrack.knowledge.comprehension import ComprehensionQuestion
from isotrack.knowledge.programme import RuleKind
from isotrack.service.access import Action, not_found, require
from isotrack.service.context import Service
from isotrack.service.disclosures import record_access
from isotrack.store.courses import NotFound, StoredCourse, courses_of_patient, read_course
from isotrack.store.patient_preferences import (
    CalendarLink,
    Preferences,
    calendar_links_of,
    create_calendar_link,
    read_preferences,
    revoke_calendar_link,
    save_preferences,
    user_of_calendar_token,
)
from isotrack.store.users import Role, User

# The languages of the patient pages, e-mails and calendar (catalogues in web/locale).
PATIENT_LANGUAGES = ("en", "es", "ru")
# A plain check of the shape only; delivery is the real test of an address.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")


def _require_patient(user: User) -> None:
    require(user, Action.READ_COURSE)
    if user.role is not Role.PATIENT:
        raise not_found("your settings")


def my_preferences(service: Service, user: User) -> Preferences:
    _require_patient(user)
    with service.database.reading() as connection:
        return read_preferences(connection, user.id)


def set_my_preferences(
    service: Service, user: User, *, email: str, language: str, email_reminders: bool
) -> Preferences:
    """Save the patient's choices; a bad e-mail or language is refused naming the field."""
    _require_patient(user)
    address = email.strip()
    if address and not _EMAIL.match(address):
        raise rejected_field("email", address, "an e-mail address such as name@example.org",
                             "not an e-mail address")  # fmt: skip
    if language and language not in PATIENT_LANGUAGES:
        raise rejected_field("language", language, ", ".join(PATIENT_LANGUAGES),
                             "not a language of the patient pages")  # fmt: skip
    if email_reminders and not address:
        raise rejected_field("email", "", "an e-mail address, to send reminders to",
                             "reminders need an e-mail address")  # fmt: skip
    chosen = Preferences(address or None, language or None, email_reminders)
    with service.database.writing() as connection:
        save_preferences(connection, user.id, chosen)
    return chosen


@dataclass(frozen=True)
class NewCalendarLink:
    token: str
    expires_on: dt.date


def new_calendar_link(service: Service, user: User) -> NewCalendarLink:
    """A fresh subscription link for the patient's own calendar (shown once)."""
    _require_patient(user)
    today = service.today()
    expires = today + dt.timedelta(days=service.settings.calendar_link_lifetime_days)
    with service.database.writing() as connection:
        token = create_calendar_link(connection, user.id, today, expires)
    return NewCalendarLink(token, expires)


def my_calendar_links(service: Service, user: User) -> list[CalendarLink]:
    """The patient's links that still work today (expired and revoked ones are not listed)."""
    _require_patient(user)
    with service.database.reading() as connection:
        links = calendar_links_of(connection, user.id)
    return [link for link in links if link.works_on(service.today())]


def revoke_my_calendar_link(service: Service, user: User, link_sha256: str) -> None:
    _require_patient(user)
    with service.database.writing() as connection:
        if not revoke_calendar_link(connection, user.id, link_sha256, service.today()):
            raise not_found("calendar link")


def subscribed_course(service: Service, token: str) -> tuple[User, StoredCourse]:
    """The account and latest course behind a live calendar link; :class:`RecordNotFound`
    for a link that is unknown, expired, revoked, or whose account was deactivated."""
    with service.database.reading() as connection:
        user = user_of_calendar_token(connection, token, service.today())
        if user is None or not user.patient_id:
            raise not_found("calendar")
        headers = courses_of_patient(connection, user.patient_id)
        if not headers:
            raise not_found("calendar")
        try:
            course = read_course(connection, headers[-1].id)
        except NotFound:
            raise not_found("calendar") from None
    # The accounting of disclosures: the calendar app reads on the patient's behalf.
    record_access(service, user, user.patient_id, course.header.id, "read")
    return user, course


# --- the programme's monthly steps done by the patient -----------------------------------


def patient_enters_monthly_steps(knowledge: Knowledge, timeline: Timeline, on: dt.date) -> bool:
    """True when the course's programme has the patient answer the comprehension questions
    and enter their contraception themself (iPLEDGE, US-EDU-01: patients who can get
    pregnant; decision 42)."""
    if not timeline.patient.can_get_pregnant:
        return False
    policy = active_policy(knowledge, timeline.policy)
    return any(
        rule.in_force_on(on)
        for rule in policy.rules(RuleKind.COMPREHENSION_EACH_PRESCRIPTION, can_get_pregnant=True)
    )


def comprehension_questions(knowledge: Knowledge) -> list[ComprehensionQuestion]:
    questions = knowledge.records("comprehension_question", ComprehensionQuestion)
    return sorted(questions.values(), key=lambda q: q.order)


@dataclass(frozen=True)
class Answered:
    question: ComprehensionQuestion
    chosen: int | None

    @property
    def right(self) -> bool:
        return self.chosen == self.question.correct


def grade_answers(knowledge: Knowledge, answers: Mapping[str, str]) -> list[Answered]:
    """Each question with the choice given (None when unanswered or not a choice)."""
    graded = []
    for question in comprehension_questions(knowledge):
        given = answers.get(question.id, "")
        chosen = int(given) if given.isdigit() and int(given) < len(question.choices) else None
        graded.append(Answered(question, chosen))
    return graded


def comprehension_event(
    graded: Sequence[Answered], *, event_id: str, on: dt.date, username: str
) -> ComprehensionChecked:
    """The programme's comprehension check as the patient answered it: passed only when
    every question was answered right; the note lists the questions missed."""
    missed = [a.question.id for a in graded if not a.right]
    note = _ANSWERED_IN_APP
    if missed:
        note += _NOT_RIGHT + ", ".join(missed) + "."
    return ComprehensionChecked(
        id=event_id, date=on, passed=not missed, recorded_by=username, note=note
    )


_ANSWERED_IN_APP = "Answered by the patient in the app."
_NOT_RIGHT = " Not right: "


def answers_on_record(knowledge: Knowledge, check: ComprehensionChecked) -> list[Answered] | None:
    """The questions of a check the patient sent in the app, as it was stored: right ones
    with their right choice, missed ones with ``chosen`` None (the record keeps which were
    missed, not the choice). ``None`` for a check the app did not record."""
    note = check.note or ""
    if not note.startswith(_ANSWERED_IN_APP):
        return None
    _, _, listed = note.partition(_NOT_RIGHT)
    missed = {part.strip() for part in listed.rstrip(".").split(",") if part.strip()}
    return [
        Answered(q, None if q.id in missed else q.correct)
        for q in comprehension_questions(knowledge)
    ]
