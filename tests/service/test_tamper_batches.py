"""One seal over a commit batch of dispense authorizations (issue 16's remaining item): the
group-commit writer signs once per batch, and ``verify`` still names every change it named
when each authorization had its own seal, on SQLite and on PostgreSQL.

The pharmacy's rush: three decisions for Maya's course arrive together and are committed in
one transaction. Then the attacker, who owns the database but not the chain key, edits it.
"""

from __future__ import annotations

import datetime as dt

from service_clinic import TODAY, Clinic
from sqlalchemy import text
from tamper_tools import problems_of, verify, without_guards

from isotrack.store.authorizations import AuthorizationRecord, AuthorizationWriter, make_record
from isotrack.store.checkpoints import take_checkpoint
from isotrack.store.database import Database
from isotrack.store.group_commit import GroupCommit


def _rush(clinic: Clinic, *, keyed: bool = False) -> list[AuthorizationRecord]:
    """Three decisions (the middle one refused) committed by the writer as one batch."""
    records = [
        make_record(
            course_id=clinic.courses["demo-02"].id,
            prescription_id="rx1",
            decided_on=TODAY,
            authorized=authorized,
            dispense_by=TODAY + dt.timedelta(days=6) if authorized else None,
            max_days_supply=30 if authorized else None,
            decision={"authorized": authorized},
            requested_by=clinic.users["pharmacist"].id,
            idempotency_key=f"counter-{n}" if keyed and n == 1 else None,
        )
        for n, authorized in enumerate((True, False, True))
    ]
    writer = AuthorizationWriter(GroupCommit(clinic.database))
    try:
        outcomes = writer.submit_batch(records).result(timeout=60)
    finally:
        writer.close()
    assert outcomes == records
    return records


def _seal_rows(db: Database) -> list[str]:
    with db.reading() as connection:
        return list(
            connection.execute(
                text("SELECT subject FROM seals WHERE subject LIKE '%authorization:%'")
            ).scalars()
        )


def test_a_batch_committed_together_carries_one_seal_and_verifies(clinic: Clinic) -> None:
    records = _rush(clinic)
    assert _seal_rows(clinic.database) == [f"batch:authorization:{records[0].code}"]
    assert verify(clinic.database).intact
    with clinic.database.writing() as connection:
        checkpoint = take_checkpoint(connection)
    # The checkpoint lists each authorization, as when each had its own seal.
    assert {f"authorization:{r.code}" for r in records} <= checkpoint.subjects.keys()
    assert verify(clinic.database).intact


def test_a_keyed_record_in_the_batch_is_sealed_with_the_others(clinic: Clinic) -> None:
    records = _rush(clinic, keyed=True)
    assert len(_seal_rows(clinic.database)) == 1
    assert verify(clinic.database).intact, [r.code for r in records]


def test_flipping_one_refused_decision_of_a_batch_names_that_decision_only(
    clinic: Clinic,
) -> None:
    db = clinic.database
    records = _rush(clinic)
    refused = records[1]
    without_guards(db)
    with db.writing() as connection:
        connection.execute(
            text("UPDATE dispense_authorizations SET authorized = :t WHERE code = :code"),
            {"t": True, "code": refused.code},
        )
    report = verify(db)
    assert problems_of(report, f"authorization:{refused.code}") == [
        "authorized changed from False to True"
    ]
    assert [f.subject for f in report.findings] == [f"authorization:{refused.code}"]


def test_editing_the_batch_seal_to_match_an_edited_row_breaks_its_signature(
    clinic: Clinic,
) -> None:
    db = clinic.database
    records = _rush(clinic)
    refused = records[1]
    without_guards(db)
    with db.writing() as connection:
        connection.execute(
            text("UPDATE dispense_authorizations SET authorized = :t WHERE code = :code"),
            {"t": True, "code": refused.code},
        )
        connection.execute(
            text(
                "UPDATE seals SET fields = REPLACE(fields, :was, :now) WHERE subject LIKE 'batch:%'"
            ),
            {"was": '"authorized":false', "now": '"authorized":true'},
        )
    report = verify(db)
    for record in records:  # every member of the forged seal loses its protection
        assert problems_of(report, f"authorization:{record.code}") == [
            "its seal does not match its signature (seal edited or forged)"
        ]


def test_removing_the_batch_seal_or_a_member_row_is_detected(clinic: Clinic) -> None:
    db = clinic.database
    records = _rush(clinic)
    without_guards(db)
    with db.writing() as connection:
        connection.execute(
            text("DELETE FROM dispense_authorizations WHERE code = :code"),
            {"code": records[2].code},
        )
    assert problems_of(verify(db), f"authorization:{records[2].code}") == [
        "was deleted (its seal remains)"
    ]
    with db.writing() as connection:
        connection.execute(text("DELETE FROM seals WHERE subject LIKE 'batch:%'"))
    report = verify(db)
    for record in records[:2]:
        assert problems_of(report, f"authorization:{record.code}") == [
            "has no seal: it was written outside isotrack"
        ]


def test_deleting_a_whole_batch_with_its_seal_is_caught_by_the_checkpoint(
    clinic: Clinic,
) -> None:
    db = clinic.database
    records = _rush(clinic)
    with db.writing() as connection:
        take_checkpoint(connection)
    without_guards(db)
    with db.writing() as connection:
        connection.execute(
            text("DELETE FROM dispense_authorizations WHERE code IN (:a, :b, :c)"),
            {"a": records[0].code, "b": records[1].code, "c": records[2].code},
        )
        connection.execute(text("DELETE FROM seals WHERE subject LIKE 'batch:%'"))
    report = verify(db)
    for record in records:
        (problem,) = problems_of(report, f"authorization:{record.code}")
        assert problem.startswith("was deleted (it is listed in checkpoint #1")
