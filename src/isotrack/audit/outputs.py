"""Where findings go: streamed to CSV and Parquet in ``--out DIR``, kept for ``--json``; the
resources not read go to ``not_read.csv`` beside them."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from isotrack.audit.findings import Finding, NotRead

FINDING_COLUMNS = list(Finding.__dataclass_fields__)
NOT_READ_COLUMNS = list(NotRead.__dataclass_fields__)


class FindingFiles:
    """``findings.csv`` and ``findings.parquet``, appended to batch by batch."""

    def __init__(self, out_dir: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self._csv_file = (out_dir / "findings.csv").open("w", newline="", encoding="utf-8")
        self._csv = csv.DictWriter(self._csv_file, fieldnames=FINDING_COLUMNS)
        self._csv.writeheader()
        self._schema = pa.schema(
            [
                (c, pa.list_(pa.string()) if c == "source_ids" else pa.string())
                for c in FINDING_COLUMNS
            ]
        )
        self._parquet = pq.ParquetWriter(out_dir / "findings.parquet", self._schema)
        self._not_read_file = (out_dir / "not_read.csv").open("w", newline="", encoding="utf-8")
        self._not_read = csv.DictWriter(self._not_read_file, fieldnames=NOT_READ_COLUMNS)
        self._not_read.writeheader()

    def write(self, findings: list[Finding]) -> None:
        import pyarrow as pa

        if not findings:
            return
        rows = [f.as_row() for f in findings]
        self._csv.writerows({**r, "source_ids": " ".join(r["source_ids"])} for r in rows)
        columns = {c: [r[c] for r in rows] for c in FINDING_COLUMNS}
        self._parquet.write_table(pa.table(columns, schema=self._schema))

    def write_not_read(self, items: list[NotRead]) -> None:
        self._not_read.writerows(asdict(item) for item in items)

    def close(self) -> None:
        self._not_read_file.close()
        self._csv_file.close()
        self._parquet.close()


def write_summary(out_dir: Path, summary: dict[str, Any]) -> Path:
    path = out_dir / "summary.json"
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
