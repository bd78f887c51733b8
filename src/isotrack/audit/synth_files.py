"""``isotrack synth``: write a synthetic population and its ``truth.json``."""

from __future__ import annotations

import contextlib
import gzip
import json
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isotrack.audit.readers import convert_to_parquet
from isotrack.audit.synth import AUDIT_DATE, INTERRUPTED_RATE, VIOLATION_RATE, synth_course
from isotrack.domain.timeline import load_timeline
from isotrack.interop.fhir.bulk import part_file_name

FORMATS = ("timeline-ndjson", "fhir-ndjson", "parquet")
FHIR_FOLDER = "fhir"
FHIR_CHUNK = 500  # courses mapped per append to the NDJSON files
# Courses per file of one resource type. A gzip file cannot be split, so Spark reads each on one
# core: a national export in numbered parts (``Observation.003.ndjson.gz``) spreads the reading
# over the cluster, as a Bulk server's manifest may list several files per type.
FHIR_PART_COURSES = 50_000

_FhirChunk = tuple[dict[str, bytes], list[dict[str, Any]]]


@dataclass(frozen=True)
class FhirOptions:
    """How a FHIR Bulk population is written: mapped in ``workers`` processes, and each file
    gzip-compressed (``Observation.ndjson.gz``) when ``gzip``, in numbered parts of about
    ``part_courses`` courses when there are more (a chunk of courses mapped together goes to the
    part of its first course); the resources and their order are the same."""

    workers: int = 1
    gzip: bool = False
    part_courses: int = FHIR_PART_COURSES


class _SynthLines:
    """The population as a timeline source (for the Parquet writer), generated on the fly."""

    def __init__(self, seed: int, patients: int, truth: list[dict[str, Any]]) -> None:
        self.seed, self.patients, self.truth = seed, patients, truth
        self.description = f"synthetic seed {seed}"

    def batches(self, size: int) -> Iterator[list[str]]:
        batch: list[str] = []
        for index in range(self.patients):
            timeline, injection = synth_course(self.seed, index)
            if injection is not None:
                self.truth.append(injection.as_json())
            batch.append(json.dumps(timeline, separators=(",", ":")))
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch


def _fhir_chunk(seed: int, first: int, stop: int, compress: bool) -> _FhirChunk:
    """Courses ``first`` to ``stop - 1`` as NDJSON per resource type (gzip members when
    ``compress``), with the violations injected into them; the names carry no part number."""
    from isotrack.audit.batch import knowledge
    from isotrack.interop.fhir.bulk import ndjson_files
    from isotrack.interop.fhir.convert import timeline_to_fhir

    bundles, injected = [], []
    for index in range(first, stop):
        timeline, injection = synth_course(seed, index)
        if injection is not None:
            injected.append(injection.as_json())
        line = json.dumps(timeline, separators=(",", ":"))  # as the other formats write it
        bundles.append(timeline_to_fhir(knowledge(), load_timeline(line)).bundle)
    files: dict[str, bytes] = {}
    for name, text in ndjson_files(bundles).items():
        raw = text.encode("utf-8")
        # Level 1: the export is written once and read once; speed matters more than size.
        files[name + ".gz" if compress else name] = (
            gzip.compress(raw, compresslevel=1, mtime=0) if compress else raw
        )
    return files, injected


def _write_fhir(
    seed: int, patients: int, truth: list[dict[str, Any]], folder: Path, options: FhirOptions
) -> None:
    """The population as a FHIR Bulk export (the interop mapper), appended chunk by chunk in
    course order, so the files are the same whatever the number of processes."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in [*folder.glob("*.ndjson"), *folder.glob("*.ndjson.gz")]:
        stale.unlink()
    chunk = min(FHIR_CHUNK, options.part_courses)
    starts = range(0, patients, chunk)
    args = (
        [seed] * len(starts),
        list(starts),
        [min(first + chunk, patients) for first in starts],
        [options.gzip] * len(starts),
    )
    with contextlib.ExitStack() as stack:
        if options.workers > 1:
            pool = stack.enter_context(ProcessPoolExecutor(options.workers))
            chunks: Iterator[_FhirChunk] = pool.map(_fhir_chunk, *args)
        else:
            chunks = map(_fhir_chunk, *args)
        for first, (files, injected) in zip(starts, chunks, strict=True):
            truth.extend(injected)
            part = None if patients <= options.part_courses else first // options.part_courses
            for name, data in files.items():
                with (folder / part_file_name(name, part)).open("ab") as out:
                    out.write(data)


def write_population(
    patients: int, seed: int, fmt: str, out_dir: Path, fhir: FhirOptions | None = None
) -> dict[str, Any]:
    """Write ``patients`` courses in ``fmt`` to ``out_dir`` and return the truth written."""
    if fmt not in FORMATS:
        raise ValueError(f"--format {fmt!r} is not known; allowed: {', '.join(FORMATS)}")
    if patients < 1:
        raise ValueError(f"--patients {patients} must be at least 1")
    out_dir.mkdir(parents=True, exist_ok=True)
    injected: list[dict[str, Any]] = []
    lines = _SynthLines(seed, patients, injected)
    if fmt == "parquet":
        convert_to_parquet(lines, out_dir / "parquet")
    elif fmt == "fhir-ndjson":
        _write_fhir(seed, patients, injected, out_dir / FHIR_FOLDER, fhir or FhirOptions())
    else:
        with (out_dir / "timelines.ndjson").open("w", encoding="utf-8") as out:
            for batch in lines.batches(1000):
                out.writelines(line + "\n" for line in batch)
    truth = {
        "schema": "isotrack.synth-truth/1",
        "seed": seed,
        "patients": patients,
        "audit_date": AUDIT_DATE.isoformat(),
        "violation_rate": VIOLATION_RATE,
        "interrupted_rate": INTERRUPTED_RATE,
        "injected_by_kind": dict(sorted(Counter(i["kind"] for i in injected).items())),
        "injected": injected,
    }
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth
