"""Where timelines come from. A reader streams timeline JSON text in batches; a runner may ask
for an engine-native view (a DuckDB relation, a Spark DataFrame) with one column ``timeline``
so the scan runs inside the engine, and falls back to the batches where a reader has none.

Adding a source (isotrack's store through the service layer, a FHIR Bulk export through the
interop mapper) is one module with a class that has ``description`` and ``batches``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

TIMELINE_COLUMN = "timeline"


def embedded_duckdb(memory_limit: str) -> Any:
    """A DuckDB connection for the audit, its memory capped at ``memory_limit``. DuckDB's own
    progress bar is off: it writes to standard output, inside the ``--json`` document, once a
    query runs longer than two seconds (the audit draws its own bar, on standard error)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET enable_progress_bar_print = false")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    return con


class TimelineBatches(Protocol):
    """Course timelines (``isotrack.timeline/1`` JSON text, one per course), streamed."""

    description: str

    def batches(self, size: int) -> Iterator[list[str]]:
        """Timelines in batches of at most ``size``, never the whole population at once."""
        ...


class TimelineSource(TimelineBatches, Protocol):
    """A population a runner can audit: the batches, plus optional engine-native scans."""

    def count(self) -> int | None:
        """How many courses, where cheap to know (for the progress bar); else None."""
        ...

    def duckdb_relation(self, con: Any) -> Any | None:
        """A DuckDB relation with a VARCHAR column ``timeline``, or None."""
        ...

    def spark_frame(self, spark: Any) -> Any | None:
        """A Spark DataFrame with a string column ``timeline``, or None."""
        ...


@runtime_checkable
class PrecheckedSource(Protocol):
    """A reader that gives the SQL pre-check's verdicts with its batches, read in its own scan
    (the FHIR Bulk reader's grouping query), so the runner need not parse each line again."""

    def prechecked_batches(
        self, size: int, limit: int | None
    ) -> Iterator[tuple[list[str], list[bool | None]]]:
        """Batches of lines, each with whether a dispense hands over more than ``limit`` days
        (None for each line when ``limit`` is None)."""
        ...


class NdjsonTimelines:
    """``--timelines FILE.ndjson``: one timeline per line; blank lines are skipped."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise FileNotFoundError(f"--timelines: {path} is not a file")
        self.path = path
        self.description = f"timelines {path.name}"

    def batches(self, size: int) -> Iterator[list[str]]:
        batch: list[str] = []
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    batch.append(line)
                    if len(batch) >= size:
                        yield batch
                        batch = []
        if batch:
            yield batch

    def count(self) -> int | None:
        with self.path.open("rb") as raw:
            return sum(1 for line in raw if line.strip())

    def duckdb_relation(self, con: Any) -> Any | None:
        return con.sql(
            f"SELECT json::VARCHAR AS {TIMELINE_COLUMN} FROM read_ndjson_objects($path)",
            params={"path": str(self.path)},
        )

    def spark_frame(self, spark: Any) -> Any | None:
        return spark.read.text(str(self.path)).withColumnRenamed("value", TIMELINE_COLUMN)


class ParquetTimelines:
    """``--parquet DIR``: the files ``isotrack audit --convert`` writes (a ``timeline`` column
    with the JSON text, beside ``patient_id`` and ``policy`` for SQL pre-filters)."""

    def __init__(self, directory: Path) -> None:
        self.files = sorted(directory.glob("*.parquet")) if directory.is_dir() else []
        if not self.files:
            raise FileNotFoundError(f"--parquet: {directory} holds no .parquet files")
        self.directory = directory
        self.description = f"parquet {directory.name}"

    def batches(self, size: int) -> Iterator[list[str]]:
        import pyarrow.parquet as pq

        for file in self.files:
            reader = pq.ParquetFile(file)
            for batch in reader.iter_batches(batch_size=size, columns=[TIMELINE_COLUMN]):
                yield [str(v) for v in batch.column(0).to_pylist()]

    def count(self) -> int | None:
        import pyarrow.parquet as pq

        return sum(int(pq.ParquetFile(f).metadata.num_rows) for f in self.files)

    def duckdb_relation(self, con: Any) -> Any | None:
        paths = [str(f) for f in self.files]
        return con.sql(
            f"SELECT {TIMELINE_COLUMN} FROM read_parquet($paths)", params={"paths": paths}
        )

    def spark_frame(self, spark: Any) -> Any | None:
        return spark.read.parquet(*[str(f) for f in self.files]).select(TIMELINE_COLUMN)


def convert_to_parquet(
    source: TimelineBatches,
    out_dir: Path,
    rows_per_file: int = 200_000,
    rows_per_group: int | None = None,
) -> int:
    """Write ``source`` as Parquet files in ``out_dir``, streaming; returns the course count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    schema = pa.schema(
        [("patient_id", pa.string()), ("policy", pa.string()), (TIMELINE_COLUMN, pa.string())]
    )
    written, part, in_part = 0, 0, 0
    writer: pq.ParquetWriter | None = None
    for batch in source.batches(10_000):
        if writer is None or in_part >= rows_per_file:
            if writer is not None:
                writer.close()
            writer = pq.ParquetWriter(out_dir / f"part-{part:05d}.parquet", schema)
            part, in_part = part + 1, 0
        heads = [_head(line) for line in batch]
        table = pa.table(
            {
                "patient_id": [h[0] for h in heads],
                "policy": [h[1] for h in heads],
                TIMELINE_COLUMN: [line.strip() for line in batch],
            },
            schema=schema,
        )
        writer.write_table(table, row_group_size=rows_per_group)
        written += len(batch)
        in_part += len(batch)
    if writer is not None:
        writer.close()
    return written


def _head(line: str) -> tuple[str, str]:
    try:
        data = json.loads(line)
        return str(data["patient"]["id"]), str(data["policy"])
    except (ValueError, KeyError, TypeError):
        return "", ""  # the audit reports the line as unreadable, naming the field
