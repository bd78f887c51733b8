"""The group commit of small durable rows (``store/group_commit.py``), on SQLite and PostgreSQL:
an EHR's calls that arrive together are noted in one transaction, and one call whose write
fails is refused alone, its rows undone, while the others' rows are kept."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import Connection

from isotrack.store.access_log import accesses_of_patient, append_access
from isotrack.store.database import Database
from isotrack.store.group_commit import GroupCommit


def _read_by_ehr(patient_id: str) -> Callable[[Connection], str]:
    def write(connection: Connection) -> str:
        append_access(
            connection, user_id="cds-client", username="https://ehr.example.org", role="ehr",
            patient_id=patient_id, course_id=None, action="read", door="cds-hooks",
        )  # fmt: skip
        return patient_id

    return write


def test_a_failing_write_is_refused_alone_and_the_others_in_its_commit_are_kept(
    database: Database,
) -> None:
    commits = GroupCommit(database)

    def half_done_then_broken(connection: Connection) -> str:
        _read_by_ehr("demo-14")(connection)
        raise ValueError("the call's write broke after its first row")

    async def together() -> list[object]:
        return await asyncio.gather(
            commits.run(_read_by_ehr("demo-01")),
            commits.run(half_done_then_broken),
            commits.run(_read_by_ehr("demo-02")),
            return_exceptions=True,
        )

    first, broken, third = asyncio.run(together())
    assert (first, third) == ("demo-01", "demo-02")
    assert isinstance(broken, ValueError)
    with database.reading() as connection:
        assert len(accesses_of_patient(connection, "demo-01")) == 1
        assert len(accesses_of_patient(connection, "demo-02")) == 1
        # The broken call's savepoint was undone: its half-written row is not in the log.
        assert accesses_of_patient(connection, "demo-14") == []


def test_calls_handed_over_one_after_another_are_each_committed(
    database: Database,
) -> None:
    commits = GroupCommit(database)

    async def one_after_another() -> list[str]:
        first = asyncio.ensure_future(commits.run(_read_by_ehr("demo-01")))
        await asyncio.sleep(0)  # the first is handed over before the second arrives
        second = await commits.run(_read_by_ehr("demo-02"))
        return [await first, second]

    assert asyncio.run(one_after_another()) == ["demo-01", "demo-02"]
    with database.reading() as connection:
        assert [len(accesses_of_patient(connection, p)) for p in ("demo-01", "demo-02")] == [1, 1]


pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
