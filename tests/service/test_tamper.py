"""Someone with write access to the database but without the chain key edits it directly:
every such change is named by ``verify`` (issue 16, tamper evidence), and an untouched store
passes. Each test is one attack from the security review, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from service_clinic import TODAY, Clinic
from sqlalchemy import Connection, text
from tamper_tools import problems_of, verify, without_guards

from isotrack.domain.timeline import parse_event
from isotrack.store.authorizations import make_record, record_authorization_now
from isotrack.store.chain import canonical_json, event_hash
from isotrack.store.chain_key import CHAIN_KEY_FILE_ENV, load_key
from isotrack.store.checkpoints import take_checkpoint
from isotrack.store.courses import append_event


def test_an_untouched_store_passes_with_and_after_a_checkpoint(clinic: Clinic) -> None:
    assert verify(clinic.database).intact
    with clinic.database.writing() as connection:
        take_checkpoint(connection)
    report = verify(clinic.database)
    assert report.intact, report.problems()


def test_deleting_a_courses_newest_events_is_detected(clinic: Clinic) -> None:
    # The last two events (say a positive pregnancy test) vanish; the chain that is left is whole.
    db = clinic.database
    course_id = clinic.courses["demo-02"].id
    without_guards(db)
    with db.writing() as connection:
        last = connection.execute(
            text("SELECT MAX(seq) FROM events WHERE course_id = :c"), {"c": course_id}
        ).scalar_one()
        connection.execute(
            text("DELETE FROM events WHERE course_id = :c AND seq >= :s"),
            {"c": course_id, "s": last - 1},
        )
    report = verify(db)
    assert not report.broken  # the hash chain alone cannot see it
    assert problems_of(report, f"course:{course_id}") == [
        f"events #{last - 1} to #{last} were deleted (signed head at #{last})"
    ]


def test_deleting_a_whole_course_with_its_seal_is_caught_by_the_checkpoint(clinic: Clinic) -> None:
    db = clinic.database
    course_id = clinic.courses["demo-09"].id
    with db.writing() as connection:
        take_checkpoint(connection)
    without_guards(db)
    with db.writing() as connection:
        for statement in (
            "DELETE FROM events WHERE course_id = :c",
            "DELETE FROM dispense_authorizations WHERE course_id = :c",
            "DELETE FROM courses WHERE id = :c",
            "DELETE FROM seals WHERE subject = 'course:' || :c",
        ):
            connection.execute(text(statement), {"c": course_id})
    (problem,) = problems_of(verify(db), f"course:{course_id}")
    assert problem.startswith("was deleted (it is listed in checkpoint #1")


def test_deleting_a_whole_course_leaving_its_seal_is_detected(clinic: Clinic) -> None:
    db = clinic.database
    course_id = clinic.courses["demo-01"].id
    without_guards(db)
    with db.writing() as connection:
        connection.execute(text("DELETE FROM events WHERE course_id = :c"), {"c": course_id})
        connection.execute(text("DELETE FROM courses WHERE id = :c"), {"c": course_id})
    assert problems_of(verify(db), f"course:{course_id}") == ["was deleted (its seal remains)"]


def _rechain(connection: Connection, course_id: str, genesis: str) -> None:
    rows = connection.execute(
        text(
            "SELECT seq, body, recorded_by, recorded_at FROM events "
            "WHERE course_id = :c ORDER BY seq"
        ),
        {"c": course_id},
    ).all()
    prev = genesis
    for row in rows:
        link = event_hash(
            prev,
            course_id=course_id,
            seq=row.seq,
            body=json.loads(row.body),
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
        )
        connection.execute(
            text("UPDATE events SET prev_hash = :p, hash = :h WHERE course_id = :c AND seq = :s"),
            {"p": prev, "h": link, "c": course_id, "s": row.seq},
        )
        prev = link


def test_editing_an_event_and_rechaining_the_hashes_is_detected(clinic: Clinic) -> None:
    # The chain's hash has no key, so the attacker recomputes every link after the edit.
    db = clinic.database
    course = clinic.courses["demo-01"]
    without_guards(db)
    with db.writing() as connection:
        connection.execute(
            text(
                "UPDATE events SET body = REPLACE(body, :real, :fake) "
                "WHERE course_id = :c AND type = 'weight'"
            ),
            {"c": course.id, "real": '"weight_kg":62.0', "fake": '"weight_kg":52.0'},
        )
        _rechain(connection, course.id, course.genesis_hash)
    report = verify(db)
    assert not report.broken  # every link recomputes
    assert problems_of(report, f"course:{course.id}") == [
        "the chain was rewritten: its last hash differs from the signed head"
    ]


def test_a_forged_event_appended_with_a_valid_link_is_detected(clinic: Clinic) -> None:
    # A fabricated negative pregnancy test, properly chained to the last event.
    db = clinic.database
    course_id = clinic.courses["demo-02"].id
    with db.writing() as connection:
        last = connection.execute(
            text("SELECT seq, hash FROM events WHERE course_id = :c ORDER BY seq DESC LIMIT 1"),
            {"c": course_id},
        ).one()
        body = {
            "id": "forged-1",
            "type": "pregnancy_test",
            "date": TODAY.isoformat(),
            "result": "negative",
            "setting": "lab",
        }
        recorded_at = "2026-10-15T09:00:00.000000Z"
        link = event_hash(
            last.hash,
            course_id=course_id,
            seq=last.seq + 1,
            body=body,
            recorded_by="dr.lee",
            recorded_at=recorded_at,
        )
        connection.execute(
            text(
                "INSERT INTO events (course_id, seq, event_id, type, date, body, recorded_by, "
                "recorded_at, prev_hash, hash) VALUES (:c, :s, 'forged-1', 'pregnancy_test', "
                ":d, :b, 'dr.lee', :r, :p, :h)"
            ),
            {
                "c": course_id,
                "s": last.seq + 1,
                "d": TODAY,
                "b": canonical_json(body),
                "r": recorded_at,
                "p": last.hash,
                "h": link,
            },
        )
    report = verify(db)
    assert not report.broken
    assert problems_of(report, f"course:{course_id}") == [
        f"events #{last.seq + 1} to #{last.seq + 1} are not covered by the signed head "
        f"(signed at #{last.seq}): appended outside isotrack"
    ]


def test_moving_a_patient_to_another_prescriber_is_detected(clinic: Clinic) -> None:
    db = clinic.database
    lee, patel = clinic.users["dr.lee"].id, clinic.users["dr.patel"].id
    with db.writing() as connection:
        connection.execute(
            text("UPDATE patients SET prescriber_user_id = :p WHERE id = 'demo-02'"), {"p": patel}
        )
    assert problems_of(verify(db), "patient:demo-02") == [
        f"prescriber_user_id changed from {lee!r} to {patel!r}"
    ]


def test_flipping_a_refused_authorization_to_authorized_is_detected(clinic: Clinic) -> None:
    db = clinic.database
    record = make_record(
        course_id=clinic.courses["demo-02"].id,
        prescription_id="rx1",
        decided_on=TODAY,
        authorized=False,
        dispense_by=None,
        max_days_supply=None,
        decision={"authorized": False},
        requested_by=clinic.users["pharmacist"].id,
    )
    with db.writing() as connection:
        record_authorization_now(connection, record)
    assert verify(db).intact
    without_guards(db)
    with db.writing() as connection:
        connection.execute(
            text("UPDATE dispense_authorizations SET authorized = :t WHERE code = :code"),
            {"t": True, "code": record.code},
        )
    assert problems_of(verify(db), f"authorization:{record.code}") == [
        "authorized changed from False to True"
    ]


def test_changing_a_users_role_is_detected(clinic: Clinic) -> None:
    db = clinic.database
    nurse = clinic.users["nurse.kim"]
    with db.writing() as connection:
        connection.execute(text("UPDATE users SET role = 'admin' WHERE id = :u"), {"u": nurse.id})
    assert problems_of(verify(db), f"user:{nurse.id}") == [
        "role changed from 'designee' to 'admin'"
    ]


def test_a_user_inserted_outside_isotrack_is_detected(clinic: Clinic) -> None:
    db = clinic.database
    with db.writing() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, password_hash, active, "
                "created_at) VALUES ('u-evil', 'evil', 'Evil', 'admin', 'x', :t, 'now')"
            ),
            {"t": True},
        )
    assert problems_of(verify(db), "user:u-evil") == [
        "has no seal: it was written outside isotrack"
    ]


def test_putting_back_an_older_signed_head_is_caught_by_the_checkpoint(clinic: Clinic) -> None:
    # The attacker kept a copy of an earlier, validly signed head seal; after the next event
    # was recorded (and a checkpoint taken) they delete it and put the old seal back.
    db = clinic.database
    course_id = clinic.courses["demo-09"].id
    subject = f"course:{course_id}"
    with db.reading() as connection:
        old = connection.execute(
            text("SELECT fields, signature FROM seals WHERE subject = :s"), {"s": subject}
        ).one()
    weight = parse_event(
        {"id": "w-late", "type": "weight", "date": TODAY.isoformat(), "weight_kg": 71.0}
    )
    with db.writing() as connection:
        appended = append_event(
            connection, course_id, weight, recorded_by="dr.patel", expected_version=None
        )
        take_checkpoint(connection)
    without_guards(db)
    with db.writing() as connection:
        connection.execute(
            text("DELETE FROM events WHERE course_id = :c AND seq = :s"),
            {"c": course_id, "s": appended.seq},
        )
        connection.execute(
            text("UPDATE seals SET fields = :f, signature = :g WHERE subject = :s"),
            {"f": old.fields, "g": old.signature, "s": subject},
        )
    (problem,) = problems_of(verify(db), subject)
    assert problem.startswith(
        f"has {appended.seq - 1} events but had {appended.seq} at checkpoint #1"
    )
    assert problem.endswith("newest events deleted")


def test_the_key_file_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "chain-key"
    key = load_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_key(path) == key
    assert CHAIN_KEY_FILE_ENV == "ISOTRACK_CHAIN_KEY_FILE"
