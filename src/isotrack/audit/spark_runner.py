"""The Spark runner: the same batches, judged by the same engines, on Spark executors.

``mapInPandas`` hands each task's rows to :func:`audit_frames` in Arrow batches; a task returns
one table, so findings and course rows travel as one flat row type (``kind`` tells them apart)
and the driver turns them back into results as they stream in.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from isotrack.audit.batch import BatchJob, BatchResult, audit_lines, result_rows
from isotrack.audit.fhir_courses import FHIR_GROUP
from isotrack.audit.findings import CourseRow, Finding, NotRead
from isotrack.audit.readers import TIMELINE_COLUMN, TimelineSource, convert_to_parquet
from isotrack.audit.runners import OnResult

ROW_SCHEMA = (
    "kind string, patient_id string, course_id string, rule_id string, event_id string, "
    "date string, severity string, message string, source_ids string, policy string, "
    "prescriber_id string, start_month string, dispenses long, findings long, "
    "sql_supply_over boolean, engine_supply_over boolean, not_read long, resource string, "
    "reason string, resources long"
)
# Row groups of the staged Parquet: small enough that each task reads a bounded slice.
STAGED_ROWS_PER_GROUP = 1024
_COLUMNS = [part.split()[0] for part in ROW_SCHEMA.split(", ")]
SPLIT_BYTES = "16m"
PROGRESS_POLL_SECONDS = 1.0
# How long the driver JVM gets to exit once its input closes (it exits within a second here).
JVM_EXIT_SECONDS = 60
# Local mode runs the executors in the driver's JVM: its heap bounds the shuffle and the scan
# (they spill beyond it). With the driver's Python, one Python worker per core (the knowledge
# base loaded in each) and the JVM's own overhead, the process tree stays inside the issue's
# 2 GiB on 2 cores. A cluster sizes its executors in its own Spark configuration.
LOCAL_DRIVER_MEMORY = "768m"
# The JVM's resident size is its heap plus off-heap buffers (the shuffle's and Arrow's direct
# memory, by default as large as the heap again): capped too, so the JVM stays near 1 GiB.
LOCAL_DRIVER_JAVA_OPTIONS = "-XX:MaxDirectMemorySize=256m"


def spark_session(master: str) -> Any:
    """A session for ``master`` on the loopback interface, with this interpreter as workers'."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    if master.startswith("local"):
        builder = builder.config("spark.driver.memory", LOCAL_DRIVER_MEMORY).config(
            "spark.driver.extraJavaOptions", LOCAL_DRIVER_JAVA_OPTIONS
        )
    return (
        builder.master(master)
        .appName("isotrack-audit")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", os.environ["SPARK_LOCAL_IP"])
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def supply_precheck(limit: int) -> str:
    """Spark's reading of the DuckDB pre-check (``runners.supply_precheck_sql``)."""
    events = "events ARRAY<STRUCT<type: STRING, days_supply: INT>>"
    resources = (
        f"{FHIR_GROUP} ARRAY<STRUCT<resourceType: STRING, daysSupply: STRUCT<value: DOUBLE>>>"
    )
    return (
        f"coalesce(exists(from_json({TIMELINE_COLUMN}, '{events}').events, "
        f"e -> e.type = 'dispense' AND e.days_supply > {int(limit)}), "
        f"exists(from_json({TIMELINE_COLUMN}, '{resources}').{FHIR_GROUP}, "
        f"r -> r.resourceType = 'MedicationDispense' AND r.daysSupply.value > {int(limit)}))"
    )


def audit_frames(frames: Iterator[Any], job: BatchJob, audited: Any = None) -> Iterator[Any]:
    """The ``mapInPandas`` function: pandas batches of timelines in, finding/course rows out.
    ``audited`` (a Spark accumulator) counts the courses, for the driver's progress."""
    import pandas as pd

    for frame in frames:
        flags = [None if pd.isna(v) else bool(v) for v in frame["sql_supply_over"]]
        result = audit_lines([str(v) for v in frame[TIMELINE_COLUMN]], job, flags)
        rows = [{c: row.get(c) for c in _COLUMNS} for row in result_rows(result)]
        if audited is not None:
            audited.add(len(result.courses) + len(result.unreadable))
        yield pd.DataFrame(rows, columns=_COLUMNS)


def run_spark(
    source: TimelineSource,
    job: BatchJob,
    on_result: OnResult,
    *,
    master: str,
    batch_size: int,
    on_audited: Callable[[int], None] | None = None,
) -> None:
    """Audit ``source`` on Spark at ``master``; results stream back to the driver once every
    task has written them, and ``on_audited`` hears of the courses audited as tasks finish."""
    from pyspark.sql import functions as spark_sql

    spark = spark_session(master)
    spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_size))
    # A FHIR line holds one patient's resources (tens of kB): the vectorized Parquet reader's
    # default 4 096 rows per batch asks the JVM for one contiguous buffer of them all.
    spark.conf.set("spark.sql.parquet.columnarReaderBatchSize", str(batch_size))
    # Tasks of one or two row groups (isotrack writes 10 000 courses a group, about 9 MB):
    # progress moves as tasks finish, and no core waits idle behind one long last task.
    # A cluster may choose its own with the ``spark.isotrack.splitBytes`` setting.
    split = spark.conf.get("spark.isotrack.splitBytes", None) or SPLIT_BYTES
    spark.conf.set("spark.sql.files.maxPartitionBytes", split)
    frame = source.spark_frame(spark)
    spool = spark.conf.get("spark.isotrack.spool", None) or tempfile.mkdtemp(prefix="isoaudit-")
    if frame is None:  # a reader with no native scan: stream its batches to Parquet first
        staged = Path(spool) / "staged"
        convert_to_parquet(source, staged, rows_per_group=STAGED_ROWS_PER_GROUP)
        frame = spark.read.parquet(str(staged)).select(TIMELINE_COLUMN)
    limit = job.max_days_supply_sql
    if limit is None:
        frame = frame.withColumn("sql_supply_over", spark_sql.lit(None).cast("boolean"))
    else:
        frame = frame.withColumn("sql_supply_over", spark_sql.expr(supply_precheck(limit)))
    cores = max(spark.sparkContext.defaultParallelism, 1)
    if not getattr(source, "spark_frame_grouped", False) and frame.rdd.getNumPartitions() < cores:
        # A file scan has as many tasks as file splits: too few of them leave cores idle, so
        # spread them. A scan with enough splits, or a frame a shuffle grouped, is already
        # spread; a shuffle would move every timeline once more for nothing.
        frame = frame.repartition(cores * 2)
    audited = spark.sparkContext.accumulator(0)
    rows = frame.mapInPandas(lambda frames: audit_frames(frames, job, audited), schema=ROW_SCHEMA)
    # Executors write their rows in parallel; the driver then streams the files back. (A
    # driver-side iterator would run one partition at a time.) On a cluster, ``spool`` must be
    # storage every node can reach: pass it with the ``spark.isotrack.spool`` setting.
    target = os.path.join(spool, "rows")
    try:
        try:
            with _reporting(audited, on_audited):
                rows.write.mode("overwrite").parquet(target)
        finally:
            end_spark(spark)
        # The rows are files now: nothing of Spark is needed, and none of it stays resident
        # while the driver reads them back and the outputs are written.
        _stream_back(target, on_result, batch_size)
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def end_spark(spark: Any) -> None:
    """Stop ``spark`` and end the driver JVM PySpark launched for it.

    Stopping a session ends its Python workers but leaves the JVM alive for a next session,
    holding the heap it grew to (about 1.2 GB of the process tree in local mode, measured).
    The JVM leaves when the pipe to its standard input closes; a later session launches a new
    one."""
    from pyspark import SparkContext

    spark.stop()
    gateway = SparkContext._gateway
    if gateway is None:
        return
    SparkContext._gateway = None
    SparkContext._jvm = None
    gateway.shutdown()
    process = getattr(gateway, "proc", None)
    if process is not None and process.stdin is not None:
        process.stdin.close()
        process.wait(timeout=JVM_EXIT_SECONDS)


@contextmanager
def _reporting(audited: Any, on_audited: Callable[[int], None] | None) -> Iterator[None]:
    """While the tasks run, tell ``on_audited`` of the courses their finished tasks counted
    (Spark merges a task's accumulator updates on the driver when the task ends)."""
    if on_audited is None:
        yield
        return
    told = 0
    stop = threading.Event()

    def tell() -> None:
        nonlocal told
        count = int(audited.value)
        if count > told:
            on_audited(count - told)
            told = count

    def poll() -> None:
        while not stop.wait(PROGRESS_POLL_SECONDS):
            tell()

    poller = threading.Thread(target=poll, name="isotrack-spark-progress", daemon=True)
    poller.start()
    try:
        yield
    finally:
        stop.set()
        poller.join()
    tell()


def _stream_back(target: str, on_result: OnResult, batch_size: int) -> None:
    import pyarrow.parquet as pq

    for file in sorted(Path(target).glob("*.parquet")):
        for batch in pq.ParquetFile(file).iter_batches(batch_size=batch_size * 8):
            pending = BatchResult([], [], [])
            for row in batch.to_pylist():
                _collect(pending, row)
            on_result(pending)


def _collect(into: BatchResult, row: dict[str, Any]) -> None:
    kind = row["kind"]
    if kind == "finding":
        fields = {k: row[k] for k in Finding.__dataclass_fields__}
        fields["source_ids"] = json.loads(row["source_ids"] or "[]")
        into.findings.append(Finding(**fields))
    elif kind == "course":
        into.courses.append(CourseRow(**{k: row[k] for k in CourseRow.__dataclass_fields__}))
    else:
        item = NotRead(**{k: row[k] for k in NotRead.__dataclass_fields__})
        (into.not_read if kind == "not_read" else into.unreadable).append(item)
