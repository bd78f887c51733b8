"""Runners: stream a source's timelines to the engines and hand each batch's results back.

DuckDB (embedded, the default) scans the source and runs the SQL pre-check, then ships Arrow
batches of timelines to a process pool, since the engines are Python and one process uses one
core. Spark does the same with ``mapInPandas`` on its executors. Both call
:func:`isotrack.audit.batch.audit_lines`, so a rule is written once and both give the same
findings; the SQL pre-check never judges, it is only compared with the engine.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from isotrack.audit.batch import BatchJob, BatchResult, audit_lines
from isotrack.audit.readers import (
    TIMELINE_COLUMN,
    PrecheckedSource,
    TimelineSource,
    embedded_duckdb,
)

OnResult = Callable[[BatchResult], None]
# DuckDB's share of the audit's 2 GiB (one thread needed ≈ 450 MiB on row groups of 10 000
# courses); the same cap as the FHIR reader's join, with room for larger row groups.
SCAN_MEMORY_LIMIT = "768MB"


def supply_precheck_sql(limit: int) -> str:
    """Per course: does any dispense hand over more than ``limit`` days? A literal SQL reading
    of the timeline's dispense events that ignores voids, amendments and which policies limit
    supply: a cross-check. (The FHIR Bulk reader reads its MedicationDispense resources the same
    way inside its grouping query, ``fhir_source.OWNER_SQL``.)"""
    return (
        f"SELECT {TIMELINE_COLUMN}, coalesce(list_bool_or(list_transform("
        f"CAST(json_extract({TIMELINE_COLUMN}, '$.events') AS JSON[]), "
        "lambda e: (e->>'type') = 'dispense' AND "
        f"TRY_CAST(e->>'days_supply' AS INTEGER) > {int(limit)}"
        ")), false) AS sql_supply_over FROM timelines"
    )


def _duckdb_batches(
    source: TimelineSource, job: BatchJob, batch_size: int
) -> Iterator[tuple[list[str], list[bool | None]]]:
    import pyarrow as pa

    limit = job.max_days_supply_sql
    if isinstance(source, PrecheckedSource):
        yield from source.prechecked_batches(batch_size, limit)
        return
    con = embedded_duckdb(SCAN_MEMORY_LIMIT)
    # The scan and the pre-check are about 1 % of a run's CPU; each DuckDB thread holds a row
    # group's timelines and their parsed events in flight (≈ 1 GiB at two threads and row groups
    # of 10 000 six-month courses), and competes with the engine processes for the cores.
    con.execute("SET threads = 1")
    relation = source.duckdb_relation(con)
    if relation is not None:
        if limit is None:
            query = relation
        else:
            query = relation.query("timelines", supply_precheck_sql(limit))
        for batch in query.to_arrow_reader(batch_size):
            flags = batch.column(1).to_pylist() if limit is not None else [None] * batch.num_rows
            yield [str(v) for v in batch.column(0).to_pylist()], flags
        return
    for lines in source.batches(batch_size):  # a reader with no native scan: check each batch
        table = pa.table({TIMELINE_COLUMN: lines})
        if limit is None:
            yield lines, [None] * len(lines)
            continue
        con.register("timelines", table)
        flags = [row[1] for row in con.sql(supply_precheck_sql(limit)).fetchall()]
        con.unregister("timelines")
        yield lines, flags


def run_duckdb(
    source: TimelineSource, job: BatchJob, on_result: OnResult, *, workers: int, batch_size: int
) -> None:
    """Audit ``source`` with DuckDB scanning and ``workers`` engine processes (0: in process).

    At most two batches per worker are in flight, so memory stays bounded however large the
    population; results come back in input order, so output files are reproducible.
    """
    batches = _duckdb_batches(source, job, batch_size)
    if workers <= 0:
        for lines, flags in batches:
            on_result(audit_lines(lines, job, flags))
        return
    context = multiprocessing.get_context("spawn")  # no fork of DuckDB's threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[BatchResult]] = deque()
        for lines, flags in batches:
            pending.append(pool.submit(audit_lines, lines, job, flags))
            while len(pending) >= 2 * workers:
                on_result(pending.popleft().result())
        while pending:
            on_result(pending.popleft().result())


def engine_rate_baseline(source: TimelineSource, job: BatchJob, courses: int) -> float:
    """Courses per second of the engines alone, one process, no SQL: the efficiency baseline."""
    import time

    taken: list[str] = []
    for lines in source.batches(courses):
        taken = lines[:courses]
        break
    started = time.perf_counter()
    audit_lines(taken, job)
    return len(taken) / max(time.perf_counter() - started, 1e-9)
