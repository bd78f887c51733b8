"""``isotrack synth``: write a synthetic population and its ``truth.json``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from isotrack.audit.readers import convert_to_parquet
from isotrack.audit.synth import AUDIT_DATE, INTERRUPTED_RATE, VIOLATION_RATE, synth_course

FORMATS = ("timeline-ndjson", "fhir-ndjson", "parquet")
FHIR_FOLDER = "fhir"
FHIR_CHUNK = 500  # courses mapped per append to the NDJSON files


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


def _write_fhir(lines: _SynthLines, folder: Path) -> None:
    """The population as a FHIR Bulk export (the interop mapper), appended chunk by chunk."""
    from isotrack.audit.batch import knowledge
    from isotrack.domain.timeline import load_timeline
    from isotrack.interop.fhir.bulk import ndjson_files
    from isotrack.interop.fhir.convert import timeline_to_fhir

    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.ndjson"):
        stale.unlink()
    for batch in lines.batches(FHIR_CHUNK):
        bundles = [timeline_to_fhir(knowledge(), load_timeline(line)).bundle for line in batch]
        for name, text in ndjson_files(bundles).items():
            with (folder / name).open("a", encoding="utf-8") as out:
                out.write(text)


def write_population(patients: int, seed: int, fmt: str, out_dir: Path) -> dict[str, Any]:
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
        _write_fhir(lines, out_dir / FHIR_FOLDER)
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
