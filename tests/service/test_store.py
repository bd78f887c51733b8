"""The course store: append-only in the database itself, hash-chained, optimistic concurrency,
group-committed authorizations, migrations and timeline round trips — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from service_clinic import TODAY, Clinic, demo_timeline
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from isotrack.domain.events import WeightMeasured
from isotrack.store.authorizations import (
    AuthorizationWriter,
    DuplicateRequest,
    make_record,
    record_authorization_now,
)
from isotrack.store.courses import (
    VersionConflict,
    append_event,
    course_version,
    import_timeline,
    read_course,
)
from isotrack.store.database import (
    Database,
    downgrade_schema,
    open_database,
    schema_status,
    upgrade_schema,
)
from isotrack.store.group_commit import GroupCommit
from isotrack.store.tables import dispense_authorizations, events
from isotrack.store.verify import verify_all


def _weight(event_id: str, kg: float) -> WeightMeasured:
    return WeightMeasured(id=event_id, date=TODAY, weight_kg=kg)


def test_schema_is_reported_outdated_until_upgraded_and_downgrade_removes_it(
    database_url: str,
) -> None:
    # `isotrack serve` refuses to start on this report; `db upgrade` fixes it.
    db = open_database(database_url)
    before = schema_status(db)
    assert not before.up_to_date and before.current is None
    assert "isotrack db upgrade" in before.explain()
    upgrade_schema(db)
    assert schema_status(db).up_to_date
    downgrade_schema(db)
    assert schema_status(db).current is None
    db.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET body = '{}'",
        "DELETE FROM events",
        "UPDATE dispense_authorizations SET authorized = NOT authorized",
        "DELETE FROM dispense_authorizations",
    ],
)
def test_database_rejects_changing_or_removing_recorded_rows(
    clinic: Clinic, statement: str
) -> None:
    # Append-only is enforced by triggers, not only by the code: raw SQL cannot rewrite history.
    db = clinic.database
    with db.writing() as connection:
        record_authorization_now(
            connection,
            make_record(
                course_id=clinic.courses["demo-02"].id,
                prescription_id=None,
                decided_on=TODAY,
                authorized=False,
                dispense_by=None,
                max_days_supply=None,
                decision={"authorized": False},
                requested_by="u-test",
            ),
        )
        before = connection.execute(select(func.count()).select_from(events)).scalar_one()
    with pytest.raises(DBAPIError, match="append-only"), db.writing() as connection:
        connection.execute(text(statement))
    with db.reading() as connection:
        assert connection.execute(select(func.count()).select_from(events)).scalar_one() == before
    with db.reading() as connection:
        assert verify_all(connection).intact


def _drop_append_only_guard(db: Database) -> None:
    """What an attacker with DDL rights would do first; the hash chain must still tell."""
    with db.writing() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("ALTER TABLE events DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER events_no_update"))
            connection.execute(text("DROP TRIGGER events_no_delete"))


def test_verify_names_the_first_tampered_event(clinic: Clinic) -> None:
    db = clinic.database
    course_id = clinic.courses["demo-01"].id
    _drop_append_only_guard(db)
    with db.writing() as connection:
        # A weight of 62 kg becomes 52 kg: a lower weight would make the mg/kg look higher.
        connection.execute(
            text(
                "UPDATE events SET body = REPLACE(body, :real, :fake) "
                "WHERE course_id = :c AND type = 'weight'"
            ),
            {"c": course_id, "real": '"weight_kg":62.0', "fake": '"weight_kg":52.0'},
        )
        tampered_seq = connection.execute(
            text("SELECT MIN(seq) FROM events WHERE course_id = :c AND type = 'weight'"),
            {"c": course_id},
        ).scalar_one()
    with db.reading() as connection:
        report = verify_all(connection)
    assert [(b.course_id, b.seq) for b in report.broken] == [(course_id, tampered_seq)]
    assert "hash" in report.broken[0].problem
    assert report.courses_checked == 3


def test_verify_notices_a_removed_event(clinic: Clinic) -> None:
    db = clinic.database
    course_id = clinic.courses["demo-09"].id
    _drop_append_only_guard(db)
    with db.writing() as connection:
        connection.execute(
            text("DELETE FROM events WHERE course_id = :c AND seq = 3"), {"c": course_id}
        )
    with db.reading() as connection:
        report = verify_all(connection)
    assert [(b.course_id, b.seq) for b in report.broken] == [(course_id, 3)]
    assert "missing" in report.broken[0].problem


def test_stale_version_is_refused_and_writes_nothing(clinic: Clinic) -> None:
    db = clinic.database
    course_id = clinic.courses["demo-01"].id
    with db.reading() as connection:
        seen = course_version(connection, course_id)
    with db.writing() as connection:
        append_event(
            connection, course_id, _weight("w-a", 63), recorded_by="dr.lee", expected_version=seen
        )
    with pytest.raises(VersionConflict) as conflict, db.writing() as connection:
        append_event(
            connection,
            course_id,
            _weight("w-b", 64),
            recorded_by="nurse.kim",
            expected_version=seen,
        )
    assert (conflict.value.expected, conflict.value.current) == (seen, seen + 1)
    with db.reading() as connection:
        assert course_version(connection, course_id) == seen + 1


def test_two_writers_at_the_same_version_one_wins_one_conflicts_nothing_lost(
    clinic: Clinic,
) -> None:
    db = clinic.database
    course_id = clinic.courses["demo-01"].id
    with db.reading() as connection:
        seen = course_version(connection, course_id)
    barrier = threading.Barrier(2)

    def write(event_id: str) -> str:
        barrier.wait()
        try:
            with db.writing() as connection:
                append_event(
                    connection,
                    course_id,
                    _weight(event_id, 63),
                    recorded_by="x",
                    expected_version=seen,
                )
        except VersionConflict:
            return "conflict"
        return "written"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(write, ["w-first", "w-second"]))
    assert outcomes == ["conflict", "written"]
    # The loser reads again and retries at the new version: both events are then kept.
    with db.reading() as connection:
        course = read_course(connection, course_id)
    loser = "w-second" if course.events[-1].event_id == "w-first" else "w-first"
    with db.writing() as connection:
        append_event(
            connection, course_id, _weight(loser, 63), recorded_by="x", expected_version=seen + 1
        )
    with db.reading() as connection:
        ids = [e.event_id for e in read_course(connection, course_id).events]
        assert {"w-first", "w-second"} <= set(ids) and len(ids) == seen + 2
        assert verify_all(connection).intact


def test_group_commit_writer_stores_every_authorization_exactly_once(clinic: Clinic) -> None:
    db = clinic.database
    course_id = clinic.courses["demo-02"].id
    writer = AuthorizationWriter(GroupCommit(db, max_batch=16))
    writer.start()

    def record(i: int, key: str | None = None) -> object:
        return writer.submit(
            make_record(
                course_id=course_id,
                prescription_id="rx",
                decided_on=TODAY,
                authorized=i % 2 == 0,
                dispense_by=TODAY + dt.timedelta(days=5),
                max_days_supply=30,
                decision={"i": i},
                requested_by="u-pharmacist",
                idempotency_key=key,
            )
        ).result(timeout=30)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(record, range(200)))
    record(1000, key="retry-1")
    with pytest.raises(DuplicateRequest):
        record(1001, key="retry-1")
    writer.close()
    with db.reading() as connection:
        stored = connection.execute(
            select(func.count()).select_from(dispense_authorizations)
        ).scalar_one()
    assert stored == 201  # 200 distinct requests + the first of the two with key "retry-1"


def test_export_then_import_gives_back_the_same_timeline(clinic: Clinic) -> None:
    db = clinic.database
    original = demo_timeline("demo-02")
    with db.reading() as connection:
        exported = read_course(connection, clinic.courses["demo-02"].id).timeline()
    assert exported.to_json_dict() == original.to_json_dict()
    with db.writing() as connection:
        copy = import_timeline(connection, exported, recorded_by="dr.lee", prescriber_user_id=None)
    with db.reading() as connection:
        again = read_course(connection, copy.id).timeline()
        assert again.to_json_dict() == original.to_json_dict()
        assert verify_all(connection).intact
