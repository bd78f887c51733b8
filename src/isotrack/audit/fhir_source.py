"""``--fhir-bulk DIR``: a FHIR Bulk Data export (NDJSON per resource type) as course timelines.

A Bulk export groups resources by type, so one patient's resources are spread over every file.
DuckDB joins them by patient (sorting on disk when the export outgrows memory), and each
patient's resources go through the interop mapper (``group_by_patient``, ``fhir_to_timeline``)
one patient at a time: the export is never held whole in memory. The reader only groups; the
mapping runs beside the engines, in the workers (``fhir_courses``). On Spark the same grouping
is a shuffle on the executors (``fhir_spark``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from isotrack.audit.fhir_courses import group_line, unowned_line
from isotrack.audit.readers import embedded_duckdb
from isotrack.interop.fhir.bulk import bulk_files, open_ndjson, resource_type_of

# DuckDB's own default is 80 % of RAM; the sort spills to disk beyond this, so the audit's
# whole process tree stays inside the 2 GiB target however large the export. The sort
# runs before any engine process starts; 768 MB left it short of memory on one run in three
# (100 000 courses, two threads), 1 GB never (measured).
DUCKDB_MEMORY_LIMIT = "1GB"
# Each resource is parsed once for its type, id, subject or patient, (a Provenance) target and
# (a MedicationDispense) days' supply.
_MEMBERS = (
    "json_extract_string(json, ['$.resourceType', '$.id', '$.subject.reference', "
    "'$.patient.reference', '$.target[0].reference', '$.daysSupply.value'{more}])"
)
_SCAN_MEMBERS = _MEMBERS.format(more="")
_TAIL = r"'([^/]+/[^/]+)$'"
# The patient a resource belongs to by itself (NULL: it names none).
_OWNER = (
    f"CASE WHEN f[1] = 'Patient' THEN 'Patient/' || f[2] "
    f"ELSE nullif(regexp_extract(coalesce(f[3], f[4], ''), {_TAIL}, 1), '') END"
)
# Owner of each resource: the Patient itself, its subject/patient, or (a Provenance) the
# owner of the resource it targets, looked up in ``target_owners``. Sorted by owner, then type,
# id and text (the Spark plan sorts the same way): the order of a patient's resources does not
# depend on how the export was split into files, so runs repeat. Numbering the export's lines
# instead (a window over the whole scan) kept the sort to one thread and took four times as
# long (measured on 100 000 courses). ``over``: the SQL pre-check's literal reading of a
# dispense (``runners.supply_precheck_sql``), taken here from the one parse of each resource
# rather than by parsing each patient's gathered resources again (NULL when ``$limit`` is).
OWNER_SQL = rf"""
WITH owned AS NOT MATERIALIZED (
  SELECT json, f[1] AS rtype, f[2] AS rid, {_OWNER} AS owner,
         regexp_extract(coalesce(f[5], ''), {_TAIL}, 1) AS target,
         f[1] = 'MedicationDispense' AND TRY_CAST(f[6] AS DOUBLE) > CAST($limit AS DOUBLE) AS over
  FROM (SELECT json, {_SCAN_MEMBERS} AS f FROM read_ndjson_objects($files))
)
SELECT coalesce(o.owner, t.owner) AS owner, o.json::VARCHAR AS resource, o.over
FROM owned o
LEFT JOIN target_owners t ON o.owner IS NULL AND t.key = o.target
ORDER BY owner, coalesce(o.rtype, ''), coalesce(o.rid, ''), resource
"""
# Before the sort: who owns each resource that a resource naming no patient (a Provenance)
# targets. Only lines holding a "target" member are parsed for it; the export is read once
# more for the owners only when some resource has such a target.
WANTED_TARGETS_SQL = rf"""
CREATE TEMP TABLE wanted AS
SELECT DISTINCT regexp_extract(coalesce(f[5], ''), {_TAIL}, 1) AS target
FROM (SELECT {_SCAN_MEMBERS} AS f FROM read_ndjson_objects($files)
      WHERE contains(json::VARCHAR, '"target"'))
WHERE {_OWNER} IS NULL
"""
TARGET_OWNERS_SQL = rf"""
CREATE TEMP TABLE target_owners AS
SELECT key, owner FROM (
  SELECT f[1] || '/' || f[2] AS key, {_OWNER} AS owner
  FROM (SELECT {_SCAN_MEMBERS} AS f FROM read_ndjson_objects($files)))
WHERE owner IS NOT NULL AND key IN (SELECT target FROM wanted WHERE target <> '')
"""
NO_TARGET_OWNERS_SQL = "CREATE TEMP TABLE target_owners (key VARCHAR, owner VARCHAR)"


def _edited(sql: str, *edits: tuple[str, str]) -> str:
    """``sql`` with each (old, new) edit made; an edit that no longer matches fails at import,
    never as a query that silently lacks its Medications."""
    for old, new in edits:
        if old not in sql:
            raise ValueError(f"OWNER_SQL no longer holds {old!r}")
        sql = sql.replace(old, new)
    return sql


# An export with Medication files: a Medication names no patient, so it goes to each owner
# whose resources name it by ``medicationReference`` (one export may share it between many
# patients). Only then are the references read and the Medication files scanned.
OWNER_SQL_WITH_MEDICATIONS = _edited(
    OWNER_SQL,
    (
        _SCAN_MEMBERS,
        _MEMBERS.format(more=", '$.medicationReference.reference'"),
    ),
    (
        "AS target,\n",
        "AS target,\n"
        "         regexp_extract(coalesce(f[7], ''), '(Medication/[^/]+)$', 1) AS med,\n",
    ),
    (
        ")\nSELECT coalesce(o.owner, t.owner) AS owner, o.json::VARCHAR AS resource, o.over\n"
        "FROM owned o",
        """), named AS (
  SELECT DISTINCT owner, med FROM owned WHERE owner IS NOT NULL AND med <> ''
), medications AS (
  SELECT 'Medication/' || (json->>'id') AS key, json->>'id' AS rid, json
  FROM read_ndjson_objects($medication_files)
)
SELECT owner, resource, over FROM (
SELECT coalesce(o.owner, t.owner) AS owner, o.rtype, o.rid, o.json::VARCHAR AS resource, o.over
FROM owned o""",
    ),
    (
        "ORDER BY owner, coalesce(o.rtype, ''), coalesce(o.rid, ''), resource",
        """UNION ALL
SELECT n.owner, 'Medication', m.rid, m.json::VARCHAR, false
FROM named n JOIN medications m ON m.key = n.med
) ORDER BY owner, coalesce(rtype, ''), coalesce(rid, ''), resource""",
    ),
)


def _resource_type(text: str) -> str:
    """The type of a resource that names no patient, for its count; a line that is not a
    resource is counted as such, never a reason to stop the audit."""
    resource = json.loads(text)
    found = resource.get("resourceType") if isinstance(resource, dict) else None
    return found if isinstance(found, str) else "(not a FHIR resource)"


class FhirBulkTimelines:
    """Satisfies ``TimelineSource``; ``policy`` is used where the export does not name one."""

    # Its Spark frame comes out of a shuffle by patient: the runner need not spread it again.
    spark_frame_grouped = True

    def __init__(self, directory: Path, policy: str | None = None) -> None:
        self.files = bulk_files(directory)
        if not self.files:
            raise FileNotFoundError(
                f"--fhir-bulk: {directory} holds no .ndjson (or .ndjson.gz) files"
            )
        # Medications are shared, not owned: read apart, and given to each patient naming one.
        self.medication_files = [f for f in self.files if resource_type_of(f) == "Medication"]
        self.owned_files = [f for f in self.files if f not in self.medication_files]
        self.directory = directory
        self.policy = policy
        self.description = f"FHIR Bulk {directory.name}"

    def _lines(self, limit: int | None) -> Iterator[tuple[str, bool]]:
        """One line per owner with its resources (the export's JSON text, not parsed here) and
        whether any of its dispenses hands over more than ``limit`` days by the SQL pre-check's
        literal reading; then one line per type of the resources that name no patient,
        counting them: those are not gathered, however many there are."""
        con = embedded_duckdb(DUCKDB_MEMORY_LIMIT)
        files = [str(f) for f in self.owned_files]
        con.execute(WANTED_TARGETS_SQL, {"files": files})
        wanted = con.execute("SELECT count(*) FROM wanted WHERE target <> ''").fetchone()
        if wanted is not None and wanted[0] > 0:
            con.execute(TARGET_OWNERS_SQL, {"files": files})
        else:
            con.execute(NO_TARGET_OWNERS_SQL)
        params: dict[str, Any] = {"files": files, "limit": limit}
        if self.medication_files:
            params["medication_files"] = [str(f) for f in self.medication_files]
            query = con.sql(OWNER_SQL_WITH_MEDICATIONS, params=params)
        else:
            query = con.sql(OWNER_SQL, params=params)
        owner: str | None = None
        group: list[str] = []
        over = False
        unowned: Counter[str] = Counter()
        for batch in query.to_arrow_reader(4096):
            for key, text, dispense_over in zip(
                batch.column(0).to_pylist(),
                batch.column(1).to_pylist(),
                batch.column(2).to_pylist(),
                strict=True,
            ):
                if key is None:
                    unowned[_resource_type(text)] += 1
                    continue
                if key != owner and group:
                    yield group_line(group, self.policy), over
                    group, over = [], False
                owner = key
                group.append(text)
                over = over or dispense_over is True
        if group:
            yield group_line(group, self.policy), over
        for resource_type, count in sorted(unowned.items()):
            yield unowned_line(resource_type, count), False

    def batches(self, size: int) -> Iterator[list[str]]:
        """One line per patient with its resources; the workers map and judge them."""
        for lines, _ in self.prechecked_batches(size, None):
            yield lines

    def prechecked_batches(
        self, size: int, limit: int | None
    ) -> Iterator[tuple[list[str], list[bool | None]]]:
        """The batches, each line with the SQL pre-check's verdict on its supply (None for
        each when no policy limits supply)."""
        lines: list[str] = []
        flags: list[bool | None] = []
        for line, over in self._lines(limit):
            lines.append(line)
            flags.append(over if limit is not None else None)
            if len(lines) >= size:
                yield lines, flags
                lines, flags = [], []
        if lines:
            yield lines, flags

    def count(self) -> int | None:
        patients = [f for f in self.files if resource_type_of(f) == "Patient"]
        if not patients:
            return None
        total = 0
        for path in patients:  # one file, or the numbered parts of a large export
            with open_ndjson(path) as raw:
                total += sum(1 for line in raw if line.strip())
        return total

    def duckdb_relation(self, con: Any) -> Any | None:
        return None

    def spark_frame(self, spark: Any) -> Any | None:
        """The same lines, grouped by a Spark shuffle (``fhir_spark``) instead of DuckDB."""
        from isotrack.audit.fhir_spark import fhir_group_frame

        return fhir_group_frame(
            spark,
            [str(f) for f in self.owned_files],
            self.policy,
            medication_files=[str(f) for f in self.medication_files],
        )
