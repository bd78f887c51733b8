"""The lean read path: a thread's own autocommit driver connection (``Database.direct()``)
reading the caller's session and a whole course, on SQLite and on PostgreSQL.

Every pharmacy request reads a bearer token and most read a course on this path, so it must
give exactly what a read transaction gives (same header, same events, same types), see every
committed write at once, recover from a broken connection, and let go of its connections
when the database is disposed. Authorization codes, read aloud over the phone, close the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import string
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from service_clinic import TODAY, Clinic, demo_timeline
from sqlalchemy import select, update

from isotrack.domain.events import WeightMeasured
from isotrack.domain.timeline import Patient
from isotrack.store.authorizations import new_authorization_code
from isotrack.store.courses import (
    NotFound,
    StoredCourse,
    append_event,
    create_course,
    create_patient,
    read_course,
    read_header,
)
from isotrack.store.database import Database
from isotrack.store.statements import Reader
from isotrack.store.tables import courses, events, patients, users
from isotrack.store.users import (
    Role,
    SessionKind,
    issue_session,
    revoke_session,
    session_for_token,
    set_user_active,
)

# What either driver raises for a statement the server rejects or a connection that is gone.
DRIVER_ERRORS = (sqlite3.Error, psycopg.Error)
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _weight(event_id: str, kg: float) -> WeightMeasured:
    return WeightMeasured(id=event_id, date=TODAY, weight_kg=kg)


def _can_still_query(reader: Reader) -> bool:
    try:
        cursor = reader.connection.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchall()
        cursor.close()
    except DRIVER_ERRORS:
        return False
    return True


def _holds_a_transaction(reader: Reader) -> bool:
    """Whether the driver connection is inside a transaction (and so holds a snapshot)."""
    connection = reader.connection
    if isinstance(connection, sqlite3.Connection):
        return connection.in_transaction
    assert isinstance(connection, psycopg.Connection)
    return connection.info.transaction_status is not psycopg.pq.TransactionStatus.IDLE


def _read_in_a_transaction(database: Database, course_id: str) -> StoredCourse:
    with database.reading() as connection:
        return read_course(connection, course_id)


def _read_directly(database: Database, course_id: str) -> StoredCourse:
    with database.direct() as reader:
        return read_course(reader, course_id)


def _assert_matches_sqlalchemy_typed_read(database: Database, course: StoredCourse) -> None:
    """The driver rows, converted by hand, against SQLAlchemy's own typed result rows."""
    with database.reading() as connection:
        header = connection.execute(
            select(
                courses,
                patients.c.prescriber_user_id,
            )
            .select_from(courses.join(patients))
            .where(courses.c.id == course.header.id)
        ).one()
        stored_events = connection.execute(
            select(
                events.c.seq,
                events.c.event_id,
                events.c.type,
                events.c.body,
                events.c.recorded_by,
                events.c.recorded_at,
                events.c.hash,
            )
            .where(events.c.course_id == course.header.id)
            .order_by(events.c.seq)
        ).all()
    assert course.header.birth_date == header.birth_date
    assert course.header.can_get_pregnant is header.can_get_pregnant
    assert course.header.genesis_hash == header.genesis_hash
    assert course.header.prescriber_user_id == header.prescriber_user_id
    assert [dataclasses.astuple(e) for e in course.events] == [tuple(r) for r in stored_events]


@pytest.mark.parametrize(
    "patient_id",
    [
        pytest.param("demo-02", id="maya-can-get-pregnant"),
        pytest.param("demo-01", id="jonas-cannot-get-pregnant"),
    ],
)
def test_a_course_read_directly_is_the_course_read_in_a_transaction(
    clinic: Clinic, patient_id: str
) -> None:
    # The pharmacist's decision reads the course on the direct path; the prescriber's pages
    # read it inside a transaction. Both must see the same course, to the last event.
    course_id = clinic.courses[patient_id].id
    expected = demo_timeline(patient_id)

    direct = _read_directly(clinic.database, course_id)
    transactional = _read_in_a_transaction(clinic.database, course_id)

    assert direct == transactional
    assert direct.timeline_json() == transactional.timeline_json()
    assert direct.version == transactional.version == len(expected.events)
    header = direct.header
    assert type(header.birth_date) is dt.date and header.birth_date == expected.patient.birth_date
    assert type(header.can_get_pregnant) is bool
    assert header.can_get_pregnant is expected.patient.can_get_pregnant
    assert header.patient() == expected.patient
    assert [e.seq for e in direct.events] == list(range(1, len(expected.events) + 1))
    assert [e.event_id for e in direct.events] == [e.id for e in expected.events]
    assert direct.timeline().to_json_dict() == expected.to_json_dict()
    _assert_matches_sqlalchemy_typed_read(clinic.database, direct)
    with clinic.database.direct() as reader:
        assert read_header(reader, course_id) == header


def test_a_course_opened_before_its_first_event_reads_the_same_on_both_paths(
    clinic: Clinic,
) -> None:
    # Dr. Patel registers a new patient and opens her course; nothing is recorded yet.
    newcomer = Patient(
        id="walk-in-17",
        birth_date=dt.date(2001, 2, 28),
        sex_at_birth="female",
        can_get_pregnant=True,
    )
    with clinic.database.writing() as connection:
        create_patient(
            connection,
            display_name="Walk-in 17",
            prescriber_user_id=clinic.users["dr.patel"].id,
            patient_id=newcomer.id,
        )
        opened = create_course(
            connection, patient=newcomer, policy="eu-ppp-2018", created_by="dr.patel"
        )

    direct = _read_directly(clinic.database, opened.id)
    transactional = _read_in_a_transaction(clinic.database, opened.id)

    assert direct == transactional
    assert direct.events == () and direct.version == 0
    assert direct.header == opened
    assert direct.header.patient() == newcomer
    assert direct.timeline_json() == transactional.timeline_json()
    assert len(direct.timeline().events) == 0
    _assert_matches_sqlalchemy_typed_read(clinic.database, direct)


def test_an_unknown_course_is_not_found_on_either_path(clinic: Clinic) -> None:
    # A pharmacist types a course id from a crumpled printout; it matches nothing.
    with pytest.raises(NotFound), clinic.database.reading() as connection:
        read_course(connection, "c-000000000000")
    with pytest.raises(NotFound), clinic.database.direct() as reader:
        read_course(reader, "c-000000000000")
    with pytest.raises(NotFound), clinic.database.direct() as reader:
        read_header(reader, "c-000000000000")
    # Not finding a course is an answer, not a broken connection: the thread keeps its own.
    with clinic.database.direct() as again:
        assert again.connection is reader.connection
        assert read_course(again, clinic.courses["demo-09"].id).header.patient_id == "demo-09"


def test_a_live_token_finds_its_user_on_the_direct_path(clinic: Clinic) -> None:
    # The pharmacist's system sends its bearer token with every request.
    with clinic.database.direct() as reader:
        session = session_for_token(reader, clinic.tokens["pharmacist"])
        nurse = session_for_token(reader, clinic.tokens["nurse.kim"])

    assert session is not None
    assert session.user == clinic.users["pharmacist"]
    assert session.user.role is Role.PHARMACIST
    assert session.user.active is True
    assert session.kind is SessionKind.BEARER and session.csrf_token is None
    assert nurse is not None and nurse.user.role is Role.DESIGNEE
    assert nurse.user.prescriber_user_id == clinic.users["dr.lee"].id


def test_a_signed_out_token_finds_nobody_while_the_users_other_token_still_works(
    clinic: Clinic,
) -> None:
    # The pharmacy's second till signs out; the first till's token is a separate session.
    db = clinic.database
    with db.writing() as connection:
        second_till = issue_session(
            connection, clinic.users["pharmacist"], SessionKind.BEARER, 3600
        ).token
    with db.direct() as reader:
        signed_in = session_for_token(reader, second_till)
    assert signed_in is not None
    with db.writing() as connection:
        revoke_session(connection, signed_in.token_sha256)

    with db.direct() as reader:
        assert session_for_token(reader, second_till) is None
        first_till = session_for_token(reader, clinic.tokens["pharmacist"])
    assert first_till is not None and first_till.user.username == "pharmacist"


def test_an_expired_token_finds_nobody(clinic: Clinic) -> None:
    # A session's expiry is its `expires_at` (epoch seconds); this one's lifetime is spent.
    with clinic.database.writing() as connection:
        expired = issue_session(
            connection, clinic.users["auditor"], SessionKind.BEARER, lifetime_seconds=-60
        )
    with clinic.database.direct() as reader:
        assert session_for_token(reader, expired.token) is None
        assert session_for_token(reader, clinic.tokens["auditor"]) is not None


def test_a_deactivated_users_tokens_find_nobody(clinic: Clinic) -> None:
    # Nurse Kim leaves the practice; the administrator deactivates her account.
    with clinic.database.writing() as connection:
        set_user_active(connection, clinic.users["nurse.kim"].id, False)
    with clinic.database.direct() as reader:
        assert session_for_token(reader, clinic.tokens["nurse.kim"]) is None
        assert session_for_token(reader, clinic.tokens["dr.lee"]) is not None


def test_an_inactive_account_is_refused_even_with_its_session_still_unrevoked(
    clinic: Clinic,
) -> None:
    # Only the account's `active` flag is cleared (say, by a data fix in the users table):
    # the session row is untouched, yet the account no longer grants access.
    with clinic.database.writing() as connection:
        connection.execute(
            update(users).where(users.c.id == clinic.users["auditor"].id).values(active=False)
        )
    with clinic.database.direct() as reader:
        assert session_for_token(reader, clinic.tokens["auditor"]) is None
        assert session_for_token(reader, clinic.tokens["admin"]) is not None


def test_an_event_recorded_after_a_direct_read_is_seen_by_the_next_one(clinic: Clinic) -> None:
    # The pharmacist's till reads Jonas's course; meanwhile the nurse records his weight.
    db = clinic.database
    course_id = clinic.courses["demo-01"].id
    with db.direct() as reader:
        before = read_course(reader, course_id)
        # Autocommit: the read left no transaction open, so no snapshot is held.
        assert not _holds_a_transaction(reader)
    with db.writing() as connection:
        append_event(
            connection,
            course_id,
            _weight("w-till-race", 64.5),
            recorded_by="nurse.kim",
            expected_version=before.version,
        )

    with db.direct() as same_reader:
        after = read_course(same_reader, course_id)
        assert same_reader.connection is reader.connection
        assert not _holds_a_transaction(same_reader)

    assert after.version == before.version + 1
    assert after.events[:-1] == before.events
    assert after.events[-1].event_id == "w-till-race"
    assert after == _read_in_a_transaction(db, course_id)


def test_a_driver_error_gives_the_thread_a_fresh_connection(clinic: Clinic) -> None:
    db = clinic.database
    with db.direct() as reader:
        read_course(reader, clinic.courses["demo-02"].id)
    broken = reader

    with pytest.raises(DRIVER_ERRORS), db.direct() as reader:
        reader.connection.cursor().execute("SELEC id FROM courses")

    # The connection that failed is closed and forgotten; the next read opens a new one.
    assert not _can_still_query(broken)
    with db.direct() as fresh:
        assert fresh.connection is not broken.connection
        course = read_course(fresh, clinic.courses["demo-02"].id)
    assert course == _read_in_a_transaction(db, clinic.courses["demo-02"].id)


def test_each_thread_reads_on_its_own_connection(clinic: Clinic) -> None:
    # Two requests served on two threads never share a driver connection; one thread keeps its.
    db = clinic.database
    course_id = clinic.courses["demo-09"].id
    barrier = threading.Barrier(2)

    def serve_one_request() -> tuple[int, int, int]:
        with db.direct() as reader:
            read_course(reader, course_id)
            barrier.wait(timeout=30)  # both threads hold their connection at once
        with db.direct() as again:
            return (
                id(reader.connection),
                id(again.connection),
                read_course(again, course_id).version,
            )

    with ThreadPoolExecutor(2) as pool:
        (first, first_again, v1), (second, second_again, v2) = list(
            pool.map(lambda _: serve_one_request(), range(2))
        )
    assert first == first_again and second == second_again
    assert first != second
    assert v1 == v2 == len(demo_timeline("demo-09").events)


def test_dispose_closes_every_threads_direct_connection(clinic: Clinic) -> None:
    # The service shuts down: the connections its request threads kept must be closed.
    db = clinic.database
    with db.direct() as main_thread_reader:
        read_course(main_thread_reader, clinic.courses["demo-01"].id)

    def open_on_another_thread() -> Reader:
        with db.direct() as reader:
            read_course(reader, clinic.courses["demo-02"].id)
            return reader

    with ThreadPoolExecutor(1) as pool:
        other_thread_reader = pool.submit(open_on_another_thread).result(timeout=30)
    assert _can_still_query(main_thread_reader) and _can_still_query(other_thread_reader)

    db.dispose()

    assert not _can_still_query(main_thread_reader)
    assert not _can_still_query(other_thread_reader)


def test_a_disposed_database_reads_directly_again_like_its_engines_do(clinic: Clinic) -> None:
    # A test client's lifespan ends (dispose) and the same app is started again: SQLAlchemy
    # engines stay usable after dispose() by opening new connections, and so must the direct
    # path, from the first read on, on this thread and on any other.
    db = clinic.database
    course_id = clinic.courses["demo-01"].id
    with db.direct() as before:
        read_course(before, course_id)
    db.dispose()

    with db.direct() as after:
        assert after.connection is not before.connection
        first = read_course(after, course_id)
    with db.writing() as connection:
        append_event(
            connection,
            course_id,
            _weight("w-after-restart", 63.0),
            recorded_by="nurse.kim",
            expected_version=first.version,
        )
    with ThreadPoolExecutor(1) as pool:
        elsewhere = pool.submit(_read_directly, db, course_id).result(timeout=30)
    assert first.version == len(demo_timeline("demo-01").events)
    assert elsewhere.version == first.version + 1
    assert elsewhere == _read_directly(db, course_id) == _read_in_a_transaction(db, course_id)


# --- authorization codes ------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_codes() -> list[str]:
    return [new_authorization_code() for _ in range(4000)]


def test_an_authorization_code_is_ten_letters_that_cannot_be_misheard(
    many_codes: list[str],
) -> None:
    # The pharmacist reads the code to the prescriber's office over the phone: no I, L, O or U
    # (taken for 1, 1, 0 or V), and no lowercase letters.
    assert set(CROCKFORD_ALPHABET) <= set(string.digits + string.ascii_uppercase)
    for code in many_codes:
        assert len(code) == 10
        assert set(code) <= set(CROCKFORD_ALPHABET), code
        assert not set(code) & set("ILOU"), code


def test_authorization_codes_do_not_repeat_and_use_every_letter_in_every_place(
    many_codes: list[str],
) -> None:
    assert len(set(many_codes)) == len(many_codes)
    # All 50 random bits reach the code: each of the ten places takes each of the 32 letters.
    # (Chance that a fair draw of 4000 codes misses a given letter in a given place: ~1e-55.)
    for place in range(10):
        assert {code[place] for code in many_codes} == set(CROCKFORD_ALPHABET), place
