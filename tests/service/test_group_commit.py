"""Group commit, on real databases: SQLite writers queue on one OS lock per file (in every
process), the authorization writer commits what is queued in one transaction and answers each
waiter, and the API's outbox hands the decisions of one event-loop turn over as one batch.

Orderings are made with events, pipes and the kernel's own view of who waits for a lock
(``/proc/locks``), never with timings. Deadlines only stop a test that would otherwise hang.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from service_clinic import TODAY, Clinic
from sqlalchemy import Connection, literal_column, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError

import isotrack.store.database as store_database
from isotrack.store.access_log import accesses_of_patient, append_access
from isotrack.store.authorizations import (
    AuthorizationRecord,
    AuthorizationWriter,
    DuplicateRequest,
    Outcome,
    authorization_by_key,
    make_record,
)
from isotrack.store.database import Database, open_database
from isotrack.store.decision_outbox import DecisionOutbox
from isotrack.store.group_commit import WRITER_THREAD_NAME, GroupCommit, each_in_savepoint
from isotrack.store.tables import dispense_authorizations

DEADLINE_S = 60.0
T = TypeVar("T")
PROC_LOCKS = Path("/proc/locks")
needs_proc_locks = pytest.mark.skipif(
    not PROC_LOCKS.exists(),
    reason="needs Linux /proc/locks to see which writer waits for the writer lock",
)


# --- seeing the writer lock as the kernel sees it ---------------------------------------------


def _writer_lock_of(database_file: Path) -> Path:
    return database_file.with_name(database_file.name + ".writer-lock")


def _flock_entries(lock_file: Path) -> list[tuple[int, bool]]:
    """(pid, waiting) for every flock on ``lock_file``: the holder, then those queued."""
    if not lock_file.exists():
        return []
    status = os.stat(lock_file)
    where = f"{os.major(status.st_dev):02x}:{os.minor(status.st_dev):02x}:{status.st_ino}"
    entries = []
    for line in PROC_LOCKS.read_text().splitlines():
        fields = line.split()
        waiting = fields[1] == "->"
        if waiting:
            del fields[1]
        kind, pid, file_id = fields[1], fields[4], fields[5]
        if kind == "FLOCK" and file_id == where:
            entries.append((int(pid), waiting))
    return entries


def _descriptors_open_on(path: Path) -> int:
    """How many of this process's file descriptors point at ``path``."""
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}") == str(path):
                count += 1
        except FileNotFoundError:  # closed while we looked
            continue
    return count


def _eventually(condition: Callable[[], bool], what: str) -> None:
    give_up = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up waiting for: {what}")
        time.sleep(0.005)


class _Worker(threading.Thread):
    """Runs ``job`` on its own thread and keeps what it raised, for the test to look at."""

    def __init__(self, name: str, job: Callable[[], None]) -> None:
        super().__init__(name=name, daemon=True)
        self._job = job
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._job()
        except BaseException as exc:
            self.error = exc

    def finish(self) -> None:
        self.join(DEADLINE_S)
        assert not self.is_alive(), f"{self.name} is still running (hangs)"
        if self.error is not None:
            raise self.error


# --- SQLite writer turns ----------------------------------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "turns.sqlite"


def _url(database_file: Path) -> str:
    return f"sqlite:///{database_file}"


def _start_turn_log(database: Database) -> None:
    with database.writing() as connection:
        connection.execute(text("CREATE TABLE turn_log (id INTEGER PRIMARY KEY, who TEXT)"))


def _log(connection: Connection, who: str) -> None:
    connection.execute(text("INSERT INTO turn_log (who) VALUES (:who)"), {"who": who})


def _who_wrote(database: Database) -> list[str]:
    with database.reading() as connection:
        return list(connection.execute(text("SELECT who FROM turn_log ORDER BY id")).scalars())


@needs_proc_locks
def test_a_second_writer_queues_on_the_lock_file_until_the_first_has_committed(
    sqlite_file: Path,
) -> None:
    # Two services opened the same file, each with its own Database: the turn is the file's.
    front_desk = open_database(_url(sqlite_file))
    pharmacy = open_database(_url(sqlite_file))
    try:
        _start_turn_log(front_desk)
        order: list[str] = []
        a_inside, a_may_leave = threading.Event(), threading.Event()

        def writer_a() -> None:
            with front_desk.writing() as connection:
                order.append("A enters")
                _log(connection, "A")
                a_inside.set()
                a_may_leave.wait(DEADLINE_S)
                order.append("A leaves")

        def writer_b() -> None:
            with pharmacy.writing() as connection:
                order.append("B enters")
                _log(connection, "B")
                order.append("B leaves")

        a, b = _Worker("writer A", writer_a), _Worker("writer B", writer_b)
        a.start()
        assert a_inside.wait(DEADLINE_S)
        b.start()
        lock_file = _writer_lock_of(sqlite_file)
        _eventually(
            lambda: (os.getpid(), True) in _flock_entries(lock_file),
            "writer B queued in the kernel on the writer lock",
        )
        assert order == ["A enters"]

        a_may_leave.set()
        a.finish()
        b.finish()

        assert order == ["A enters", "A leaves", "B enters", "B leaves"]
        assert _who_wrote(front_desk) == ["A", "B"]
    finally:
        front_desk.dispose()
        pharmacy.dispose()


_WRITER_IN_ANOTHER_PROCESS = """
import sys
from sqlalchemy import text
from isotrack.store.database import open_database

database = open_database(sys.argv[1])
with database.writing() as connection:
    connection.execute(text("INSERT INTO turn_log (who) VALUES ('other process')"))
    print("inside", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
database.dispose()
"""


@needs_proc_locks
def test_a_writer_waits_for_the_turn_another_process_holds_and_sees_its_commit(
    sqlite_file: Path, tmp_path: Path
) -> None:
    database = open_database(_url(sqlite_file))
    _start_turn_log(database)
    lock_file = _writer_lock_of(sqlite_file)
    child_errors = tmp_path / "child.stderr"
    with child_errors.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", _WRITER_IN_ANOTHER_PROCESS, _url(sqlite_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    said: queue.Queue[str | None] = queue.Queue()

    def listen() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            said.put(line.strip())
        said.put(None)

    threading.Thread(target=listen, name="child stdout", daemon=True).start()
    try:
        assert said.get(timeout=DEADLINE_S) == "inside", child_errors.read_text()
        assert (child.pid, False) in _flock_entries(lock_file)

        entered = threading.Event()
        seen_on_entry: list[str] = []

        def write_here() -> None:
            with database.writing() as connection:
                entered.set()
                seen_on_entry.extend(
                    connection.execute(text("SELECT who FROM turn_log ORDER BY id")).scalars()
                )
                _log(connection, "this process")

        here = _Worker("writer in this process", write_here)
        here.start()
        _eventually(
            lambda: (os.getpid(), True) in _flock_entries(lock_file),
            "this process queued behind the other one on the writer lock",
        )
        assert not entered.is_set()

        assert child.stdin is not None
        child.stdin.write("leave\n")
        child.stdin.flush()
        assert said.get(timeout=DEADLINE_S) == "committed", child_errors.read_text()
        here.finish()
        assert child.wait(DEADLINE_S) == 0, child_errors.read_text()

        assert seen_on_entry == ["other process"]  # its turn began after the other's commit
        assert _who_wrote(database) == ["other process", "this process"]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(DEADLINE_S)
        database.dispose()


@needs_proc_locks
def test_a_nested_write_on_the_same_thread_meets_sqlites_lock_instead_of_hanging(
    sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The inner write does not wait for a turn its own thread holds; it goes to SQLite, whose
    # lock the outer transaction holds, and gives up after the busy timeout (short here). The
    # outer write keeps its turn to the end.
    monkeypatch.setattr(store_database, "SQLITE_BUSY_TIMEOUT_MS", 200)
    database = open_database(_url(sqlite_file))
    lock_file = _writer_lock_of(sqlite_file)
    try:
        _start_turn_log(database)
        inner_outcome: list[BaseException | None] = []
        turn_after_inner: list[list[tuple[int, bool]]] = []

        def write_inside_a_write() -> None:
            with database.writing() as outer:
                _log(outer, "outer")
                try:
                    with database.writing() as inner:
                        _log(inner, "inner")
                except OperationalError as exc:
                    inner_outcome.append(exc)
                else:
                    inner_outcome.append(None)
                turn_after_inner.append(_flock_entries(lock_file))

        nested = _Worker("nested writer", write_inside_a_write)
        nested.start()
        nested.finish()  # the guard: a nested write that hung would fail here

        [refusal] = inner_outcome
        assert isinstance(refusal, OperationalError)
        assert "database is locked" in str(refusal)
        assert turn_after_inner == [[(os.getpid(), False)]]  # the outer still holds its turn
        assert _who_wrote(database) == ["outer"]
    finally:
        database.dispose()


@needs_proc_locks
def test_dispose_during_a_turn_lets_that_write_commit_and_then_closes_the_lock_file(
    sqlite_file: Path,
) -> None:
    database = open_database(_url(sqlite_file))
    _start_turn_log(database)
    lock_file = _writer_lock_of(sqlite_file)
    inside, may_finish = threading.Event(), threading.Event()

    def write_across_the_dispose() -> None:
        with database.writing() as connection:
            _log(connection, "before dispose")
            inside.set()
            may_finish.wait(DEADLINE_S)
            _log(connection, "after dispose")

    writer = _Worker("writer across dispose", write_across_the_dispose)
    writer.start()
    assert inside.wait(DEADLINE_S)
    assert _descriptors_open_on(lock_file) >= 1

    database.dispose()  # the service stops while a write is under way
    may_finish.set()
    writer.finish()  # no exception escapes the write that was in its turn

    assert _descriptors_open_on(lock_file) == 0
    assert _flock_entries(lock_file) == []
    reopened = open_database(_url(sqlite_file))
    try:
        with reopened.writing() as connection:
            _log(connection, "after reopening")
        assert _who_wrote(reopened) == ["before dispose", "after dispose", "after reopening"]
    finally:
        reopened.dispose()


def test_a_disposed_database_keeps_taking_writer_turns_like_a_restarted_app(
    sqlite_file: Path,
) -> None:
    # The app's lifespan ends (dispose) and the same app starts again: its engines reopen
    # connections, and its writers must keep taking turns, write after write.
    database = open_database(_url(sqlite_file))
    try:
        _start_turn_log(database)
        database.dispose()
        for n in range(3):
            with database.writing() as connection:
                _log(connection, f"after restart {n}")
        assert _who_wrote(database) == [f"after restart {n}" for n in range(3)]
    finally:
        database.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_writers_do_not_queue_for_a_turn(database: Database) -> None:
    # Row locks decide on PostgreSQL: a second transaction starts while the first is open.
    first_inside, first_may_leave = threading.Event(), threading.Event()
    second_inside = threading.Event()

    def first() -> None:
        with database.writing() as connection:
            connection.execute(text("SELECT 1"))
            first_inside.set()
            first_may_leave.wait(DEADLINE_S)

    def second() -> None:
        with database.writing() as connection:
            connection.execute(text("SELECT 1"))
            second_inside.set()

    a, b = _Worker("first writer", first), _Worker("second writer", second)
    a.start()
    assert first_inside.wait(DEADLINE_S)
    b.start()
    try:
        assert second_inside.wait(DEADLINE_S), "the second writer waited for the first"
    finally:
        first_may_leave.set()
        a.finish()
        b.finish()


# --- the group-commit writer ------------------------------------------------------------------


def _decision(
    clinic: Clinic,
    patient: str = "demo-02",
    *,
    key: str | None = None,
    by: str = "u-pharmacist",
    course_id: str | None = None,
) -> AuthorizationRecord:
    return make_record(
        course_id=course_id or clinic.courses[patient].id,
        prescription_id=f"rx-{patient}",
        decided_on=TODAY,
        authorized=True,
        dispense_by=TODAY + dt.timedelta(days=7),
        max_days_supply=30,
        decision={"authorized": True, "patient": patient},
        requested_by=by,
        idempotency_key=key,
    )


def _stored_codes(database: Database) -> set[str]:
    with database.reading() as connection:
        return set(connection.execute(select(dispense_authorizations.c.code)).scalars())


def _codes(*records: AuthorizationRecord) -> set[str]:
    return {record.code for record in records}


@contextmanager
def _writer_held_back(database: Database) -> Iterator[Callable[[], None]]:
    """Another transaction that writes is open, so the writer's next commit has to wait for
    it; yields a function that returns once the writer is seen waiting."""
    with database.writing() as connection:
        if database.dialect == "postgresql":
            connection.execute(text("LOCK TABLE dispense_authorizations IN EXCLUSIVE MODE"))

            def writer_waits() -> bool:
                with database.reading() as look:
                    waiting = look.execute(
                        text(
                            "SELECT count(*) FROM pg_locks WHERE NOT granted"
                            " AND relation = 'dispense_authorizations'::regclass"
                        )
                    ).scalar_one()
                return bool(waiting)
        else:
            if not PROC_LOCKS.exists():
                pytest.skip("needs Linux /proc/locks to see the writer wait for its turn")
            database_file = Path(str(make_url(database.url).database))
            lock_file = _writer_lock_of(database_file)

            def writer_waits() -> bool:
                return (os.getpid(), True) in _flock_entries(lock_file)

        yield lambda: _eventually(writer_waits, "the writer waits for the open transaction")


@pytest.fixture
def writer(clinic: Clinic) -> Iterator[AuthorizationWriter]:
    group_commit = AuthorizationWriter(GroupCommit(clinic.database))
    group_commit.start()
    yield group_commit
    group_commit.close()


def test_decisions_queued_together_commit_in_one_transaction_and_answer_in_order(
    clinic: Clinic, writer: AuthorizationWriter
) -> None:
    database = clinic.database
    opening = _decision(clinic)
    morning_round = [_decision(clinic, "demo-02"), _decision(clinic, "demo-01")]
    walk_in = _decision(clinic, "demo-09")
    late_call = [_decision(clinic, "demo-01")]
    with _writer_held_back(database) as wait_for_the_writer:
        busy = writer.submit_batch([opening])
        wait_for_the_writer()
        # While the writer waits, three callers queue: they are the next batch.
        morning = writer.submit_batch(morning_round)
        single = writer.submit(walk_in)
        late = writer.submit_batch(late_call)
        assert not any(f.done() for f in (busy, morning, single, late))

    assert busy.result(DEADLINE_S) == [opening]
    assert morning.result(DEADLINE_S) == morning_round  # one outcome per record, in order
    assert single.result(DEADLINE_S) == walk_in
    assert late.result(DEADLINE_S) == late_call
    queued_together = _codes(*morning_round, walk_in, *late_call)
    assert queued_together | _codes(opening) <= _stored_codes(database)
    if database.dialect == "postgresql":
        with database.reading() as connection:
            transactions: set[str] = set(
                connection.execute(
                    select(literal_column("xmin::text")).where(
                        dispense_authorizations.c.code.in_(queued_together)
                    )
                ).scalars()
            )
        assert len(transactions) == 1


def test_a_repeated_idempotency_key_refuses_only_that_record_of_the_batch(
    clinic: Clinic, writer: AuthorizationWriter
) -> None:
    database = clinic.database
    first_try = _decision(clinic, key="pickup-maya-1")
    assert writer.submit(first_try).result(DEADLINE_S) == first_try

    unkeyed = _decision(clinic, "demo-01")
    retry = _decision(clinic, key="pickup-maya-1")  # the pharmacy system retried
    keyed = _decision(clinic, "demo-09", key="pickup-lukas-1")
    same_key_other_pharmacist = _decision(clinic, key="pickup-maya-1", by="u-other-pharmacist")
    twice_in_this_batch = _decision(clinic, "demo-09", key="pickup-lukas-1")
    outcomes: list[Outcome] = writer.submit_batch(
        [unkeyed, retry, keyed, same_key_other_pharmacist, twice_in_this_batch]
    ).result(DEADLINE_S)

    assert outcomes[0] == unkeyed
    assert isinstance(outcomes[1], DuplicateRequest)
    assert outcomes[1].args == ("pickup-maya-1",)
    assert outcomes[2] == keyed
    assert outcomes[3] == same_key_other_pharmacist  # keys are per requester
    assert isinstance(outcomes[4], DuplicateRequest)
    stored = _stored_codes(database)
    assert _codes(first_try, unkeyed, keyed, same_key_other_pharmacist) <= stored
    assert not _codes(retry, twice_in_this_batch) & stored


def test_submitting_a_single_retry_raises_duplicate_request_and_keeps_the_first(
    clinic: Clinic, writer: AuthorizationWriter
) -> None:
    first_try = _decision(clinic, key="pickup-jonas-1")
    writer.submit(first_try).result(DEADLINE_S)
    retry = _decision(clinic, key="pickup-jonas-1")

    with pytest.raises(DuplicateRequest):
        writer.submit(retry).result(DEADLINE_S)

    with clinic.database.reading() as connection:
        kept = authorization_by_key(connection, "u-pharmacist", "pickup-jonas-1")
    assert kept is not None and kept.code == first_try.code
    assert retry.code not in _stored_codes(clinic.database)


def test_a_batch_that_cannot_commit_fails_every_waiter_and_stores_none_of_it(
    clinic: Clinic, writer: AuthorizationWriter
) -> None:
    database = clinic.database
    opening = _decision(clinic)
    sound_before = _decision(clinic, "demo-01")
    unknown_course = _decision(clinic, course_id="c-no-such-course")
    sound_beside = _decision(clinic, "demo-09")
    sound_after = _decision(clinic, "demo-02")
    with _writer_held_back(database) as wait_for_the_writer:
        busy = writer.submit_batch([opening])
        wait_for_the_writer()
        before = writer.submit_batch([sound_before])
        broken = writer.submit_batch([unknown_course, sound_beside])
        after = writer.submit(sound_after)

    assert busy.result(DEADLINE_S) == [opening]
    waiters: list[Future[list[Outcome]] | Future[AuthorizationRecord]] = [before, broken, after]
    for waiter in waiters:
        with pytest.raises(IntegrityError):
            waiter.result(DEADLINE_S)
    stored = _stored_codes(database)
    assert opening.code in stored
    assert not _codes(sound_before, unknown_course, sound_beside, sound_after) & stored

    next_one = _decision(clinic, "demo-01")
    assert writer.submit(next_one).result(DEADLINE_S) == next_one  # the writer carries on
    assert next_one.code in _stored_codes(database)


def test_an_ehr_calls_row_queued_with_a_failing_decision_is_kept_by_the_shared_writer(
    clinic: Clinic,
) -> None:
    # One writer per process commits both the pharmacist's decisions and the rows a CDS Hooks
    # call leaves; while it waits, a decision for a course that does not exist and an EHR's
    # access-log row queue up and form its next batch. Each kind commits in its own savepoint.
    database = clinic.database
    commits = GroupCommit(database)
    writer = AuthorizationWriter(commits)
    opening = _decision(clinic)
    unknown_course = _decision(clinic, course_id="c-no-such-course")

    def ehr_read(connection: Connection) -> str:
        append_access(
            connection, user_id="cds-client", username="https://ehr.example.org", role="ehr",
            patient_id="demo-02", course_id=None, action="read", door="cds-hooks",
        )  # fmt: skip
        return "noted"

    try:
        with _writer_held_back(database) as wait_for_the_writer:
            busy = writer.submit_batch([opening])
            wait_for_the_writer()
            broken = writer.submit_batch([unknown_course])
            noted = commits.submit(each_in_savepoint, ehr_read)
        assert busy.result(DEADLINE_S) == [opening]
        with pytest.raises(IntegrityError):
            broken.result(DEADLINE_S)
        assert noted.result(DEADLINE_S) == "noted"
    finally:
        commits.close()
    assert unknown_course.code not in _stored_codes(database)
    with database.reading() as connection:
        assert len(accesses_of_patient(connection, "demo-02")) == 1


def test_a_keyed_record_for_an_unknown_course_is_not_mistaken_for_a_retry(
    clinic: Clinic, writer: AuthorizationWriter
) -> None:
    unknown_course = _decision(clinic, course_id="c-no-such-course", key="pickup-nobody-1")
    refused_as: object
    try:
        refused_as = writer.submit_batch([unknown_course]).result(DEADLINE_S)[0]
    except IntegrityError as exc:
        refused_as = exc
    assert isinstance(refused_as, IntegrityError), f"refused as {refused_as!r}"
    assert unknown_course.code not in _stored_codes(clinic.database)


def _writer_threads_alive() -> bool:
    return any(t.name == WRITER_THREAD_NAME for t in threading.enumerate())


def test_a_caller_that_gives_up_on_its_batch_does_not_stop_the_writer(
    clinic: Clinic, writer: AuthorizationWriter
) -> None:
    opening, kept, abandoned, later = (_decision(clinic) for _ in range(4))
    with _writer_held_back(clinic.database) as wait_for_the_writer:
        busy = writer.submit_batch([opening])
        wait_for_the_writer()
        kept_answer = writer.submit_batch([kept])
        abandoned_answer = writer.submit_batch([abandoned])
        later_answer = writer.submit_batch([later])
        assert abandoned_answer.cancel()  # e.g. the asyncio side of wrap_future was cancelled

    assert busy.result(DEADLINE_S) == [opening]
    assert kept_answer.result(DEADLINE_S) == [kept]
    _eventually(
        lambda: later_answer.done() or not _writer_threads_alive(),
        "the later waiter answered, or the writer thread gone",
    )
    assert later_answer.done(), "the writer thread died"
    assert later_answer.result() == [later]


# --- the decision outbox ----------------------------------------------------------------------


async def _in_time(answers: Awaitable[T]) -> T:
    """The answers, or TimeoutError if they never come (a lost hand-over would hang)."""
    return await asyncio.wait_for(answers, DEADLINE_S)


class CountingWriter(AuthorizationWriter):
    """The real writer on the real database; it also notes every hand-over it receives."""

    def __init__(self, database: Database) -> None:
        super().__init__(GroupCommit(database))
        self.handed_over: list[list[str]] = []

    def submit_batch(self, records: list[AuthorizationRecord]) -> Future[list[Outcome]]:
        self.handed_over.append([record.code for record in records])
        return super().submit_batch(records)


@pytest.fixture
def counting_writer(clinic: Clinic) -> Iterator[CountingWriter]:
    group_commit = CountingWriter(clinic.database)
    group_commit.start()
    yield group_commit
    group_commit.close()


def test_decisions_made_in_one_step_reach_the_writer_as_one_batch(
    clinic: Clinic, counting_writer: CountingWriter
) -> None:
    outbox = DecisionOutbox(counting_writer)
    decided = [
        _decision(clinic, "demo-02"),
        _decision(clinic, "demo-01"),
        _decision(clinic, "demo-09"),
    ]

    async def decide_three_without_waiting() -> list[AuthorizationRecord]:
        answers = [outbox.commit(record) for record in decided]
        return await _in_time(asyncio.gather(*answers))

    assert asyncio.run(decide_three_without_waiting()) == decided
    assert counting_writer.handed_over == [[record.code for record in decided]]
    assert _codes(*decided) <= _stored_codes(clinic.database)


def test_requests_that_arrive_together_share_one_batch(
    clinic: Clinic, counting_writer: CountingWriter
) -> None:
    # Three requests woken by the same turn of the loop each decide, then wait for the commit.
    outbox = DecisionOutbox(counting_writer)
    decided = [
        _decision(clinic, "demo-02"),
        _decision(clinic, "demo-01"),
        _decision(clinic, "demo-09"),
    ]

    async def one_request(record: AuthorizationRecord) -> AuthorizationRecord:
        return await outbox.commit(record)

    async def arrive_together() -> list[AuthorizationRecord]:
        return await _in_time(asyncio.gather(*(one_request(record) for record in decided)))

    assert asyncio.run(arrive_together()) == decided
    assert counting_writer.handed_over == [[record.code for record in decided]]


def test_decisions_made_in_successive_turns_are_handed_over_separately(
    clinic: Clinic, counting_writer: CountingWriter
) -> None:
    # The hand-over was scheduled before the decider yielded, so it runs before the decider
    # resumes: the next decision starts a new batch.
    outbox = DecisionOutbox(counting_writer)
    decided = [
        _decision(clinic, "demo-02"),
        _decision(clinic, "demo-01"),
        _decision(clinic, "demo-09"),
    ]

    async def decide_one_per_turn() -> list[AuthorizationRecord]:
        answers = []
        for record in decided:
            answers.append(outbox.commit(record))
            await asyncio.sleep(0)
        return await _in_time(asyncio.gather(*answers))

    assert asyncio.run(decide_one_per_turn()) == decided
    assert counting_writer.handed_over == [[record.code] for record in decided]
    assert _codes(*decided) <= _stored_codes(clinic.database)


def test_a_repeated_key_in_the_batch_fails_only_its_own_request(
    clinic: Clinic, counting_writer: CountingWriter
) -> None:
    outbox = DecisionOutbox(counting_writer)
    first_try = _decision(clinic, key="pickup-maya-7")
    retry = _decision(clinic, key="pickup-maya-7")  # a double click reached the service twice
    other = _decision(clinic, "demo-01")

    async def decide_together() -> list[AuthorizationRecord | BaseException]:
        answers = [outbox.commit(record) for record in (first_try, retry, other)]
        return await _in_time(asyncio.gather(*answers, return_exceptions=True))

    answered = asyncio.run(decide_together())

    assert len(counting_writer.handed_over) == 1
    assert answered[0] == first_try
    assert isinstance(answered[1], DuplicateRequest)
    assert answered[2] == other
    stored = _stored_codes(clinic.database)
    assert _codes(first_try, other) <= stored
    assert retry.code not in stored


def test_a_request_that_went_away_neither_blocks_the_others_nor_loses_its_record(
    clinic: Clinic, counting_writer: CountingWriter
) -> None:
    outbox = DecisionOutbox(counting_writer)
    stays, leaves, also_stays = (_decision(clinic, p) for p in ("demo-02", "demo-01", "demo-09"))

    async def one_caller_hangs_up() -> list[AuthorizationRecord]:
        answers = [outbox.commit(record) for record in (stays, leaves, also_stays)]
        answers[1].cancel()  # the pharmacist's connection dropped while waiting
        answered = await _in_time(asyncio.gather(answers[0], answers[2]))
        assert answers[1].cancelled()
        return list(answered)

    assert asyncio.run(one_caller_hangs_up()) == [stays, also_stays]
    assert counting_writer.handed_over == [[stays.code, leaves.code, also_stays.code]]
    assert leaves.code in _stored_codes(clinic.database)  # the audit trail keeps it


def test_a_batch_that_cannot_commit_fails_every_request_in_it(
    clinic: Clinic, counting_writer: CountingWriter
) -> None:
    outbox = DecisionOutbox(counting_writer)
    sound = _decision(clinic, "demo-02")
    unknown_course = _decision(clinic, course_id="c-no-such-course")
    also_sound = _decision(clinic, "demo-09")

    async def decide_together() -> list[AuthorizationRecord | BaseException]:
        answers = [outbox.commit(record) for record in (sound, unknown_course, also_sound)]
        return await _in_time(asyncio.gather(*answers, return_exceptions=True))

    answered = asyncio.run(decide_together())

    assert all(isinstance(answer, IntegrityError) for answer in answered), answered
    assert not _codes(sound, unknown_course, also_sound) & _stored_codes(clinic.database)
    next_one = _decision(clinic, "demo-01")

    async def decide_again() -> AuthorizationRecord:
        return await _in_time(outbox.commit(next_one))

    assert asyncio.run(decide_again()) == next_one
