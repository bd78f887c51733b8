"""Population audits of the store: the source for ``isotrack audit`` (the operator's command)
and the runs an auditor starts from the web pages.

The audit itself lives in ``isotrack.audit``, which the service may not import; the composition
root hands the service an :data:`AuditRunner` (``Service.audit_runner``) that runs it. A run
keeps its outputs as files under the data directory, one folder per run: ``run.json`` (state),
and what the runner writes there (``summary.json``, ``findings.csv``, ``report.html``). Every
id in them is pseudonymised with the programme's key (``<data dir>/audit_pseudonym_key``).
"""

from __future__ import annotations

import contextvars
import csv
import datetime as dt
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isotrack.domain.errors import FieldProblem, IsotrackError, IsotrackInputError, RecordNotFound
from isotrack.service.access import Action, require
from isotrack.service.audit_source import StoreTimelines
from isotrack.service.context import Service
from isotrack.service.disclosures import record_accesses
from isotrack.store.course_records import StoredCourse
from isotrack.store.database import open_database, schema_status
from isotrack.store.users import User

# (source, output folder, audit date, pseudonym key) -> None; writes the outputs into the folder.
AuditRunner = Callable[[StoreTimelines, Path, dt.date, bytes], None]
RUNS_FOLDER = "audits"
KEY_FILE = "audit_pseudonym_key"
FINDINGS_PAGE = 200


class AuditSchemaNotCurrent(IsotrackError):
    """The store's schema is not the one this code reads (``isotrack db upgrade``)."""


@contextmanager
def store_for_audit(database_url: str | None) -> Iterator[StoreTimelines]:
    """The operator's view: every course of the store at ``database_url`` (default: the
    configured store), streamed. No role check: the operator holds the whole store."""
    database = open_database(database_url, pool_size=2)
    try:
        status = schema_status(database)
        if not status.up_to_date:
            raise AuditSchemaNotCurrent(status.explain())
        yield StoreTimelines(database, f"isotrack store ({database.dialect})")
    finally:
        database.dispose()


def pseudonym_key(data_dir: Path) -> bytes:
    """The programme's pseudonym key, made once and kept beside the store's other secrets."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_bytes(secrets.token_hex(32).encode("ascii"))
        path.chmod(0o600)
    return path.read_bytes().strip()


@dataclass(frozen=True)
class AuditRun:
    run_id: str
    state: str  # running, finished, failed
    started_at: str
    audit_date: str
    finished_at: str | None
    problem: str | None
    summary: dict[str, Any] | None
    folder: Path

    @property
    def report_path(self) -> Path:
        return self.folder / "report.html"

    def plots(self) -> list[str]:
        """The run's plots, SVG text drawn by the audit (no outside content in them)."""
        return [p.read_text(encoding="utf-8") for p in sorted(self.folder.glob("plot-*.svg"))]


def _runs_dir(service: Service) -> Path:
    return service.settings.data_dir / RUNS_FOLDER


def _write_state(folder: Path, **state: Any) -> None:
    path = folder / "run.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current.update(state)
    tmp = folder / "run.json.tmp"
    tmp.write_text(json.dumps(current, indent=1), encoding="utf-8")
    tmp.replace(path)  # readers never see half a file


def start_audit_run(service: Service, user: User) -> str:
    """Start an audit of the whole store in a background thread; returns the run's id."""
    require(user, Action.RUN_AUDIT)
    runner = service.audit_runner
    if runner is None:
        raise IsotrackInputError(
            [FieldProblem("audit", "runner", "none", "a server started with the audit")],
            "audits cannot be run from this server",
        )
    now = dt.datetime.now(dt.UTC)
    run_id = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    folder = _runs_dir(service) / run_id
    folder.mkdir(parents=True)
    audit_date = service.today()
    _write_state(
        folder, run_id=run_id, state="running", started_at=now.isoformat(timespec="seconds"),
        audit_date=audit_date.isoformat(), started_by=user.username,
    )  # fmt: skip
    key = pseudonym_key(service.settings.data_dir)

    def accounted(page: list[StoredCourse]) -> None:
        # Every course the run reads is a read of that patient's record by this auditor.
        record_accesses(service, user, [(c.header.patient_id, c.header.id) for c in page], "read")

    source = StoreTimelines(
        service.database, f"isotrack store ({service.database.dialect})", on_read=accounted
    )

    def work() -> None:
        try:
            runner(source, folder, audit_date, key)
        except Exception as exc:  # a failed run is shown on the page, never lost silently
            _write_state(folder, state="failed", problem=type(exc).__name__, finished_at=_now())
        else:
            _write_state(folder, state="finished", finished_at=_now())

    # The run's thread keeps this request's context, so its access-log rows name its door.
    request_context = contextvars.copy_context()
    threading.Thread(
        target=request_context.run, args=(work,), name=f"audit-{run_id}", daemon=True
    ).start()
    return run_id


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _read_run(folder: Path) -> AuditRun | None:
    try:
        state = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    summary_path = folder / "summary.json"
    summary = None
    if state.get("state") == "finished" and summary_path.exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    return AuditRun(
        run_id=str(state.get("run_id", folder.name)),
        state=str(state.get("state", "failed")),
        started_at=str(state.get("started_at", "")),
        audit_date=str(state.get("audit_date", "")),
        finished_at=state.get("finished_at"),
        problem=state.get("problem"),
        summary=summary,
        folder=folder,
    )


def audit_runs(service: Service, user: User) -> list[AuditRun]:
    """Every run kept, newest first."""
    require(user, Action.READ_AGGREGATES)
    root = _runs_dir(service)
    folders = (
        sorted((p for p in root.iterdir() if p.is_dir()), reverse=True) if root.is_dir() else []
    )
    return [run for run in map(_read_run, folders) if run is not None]


def latest_audit(service: Service, user: User) -> tuple[AuditRun | None, AuditRun | None]:
    """The newest finished run, and a newer run still going (or failed), if any."""
    runs = audit_runs(service, user)
    finished = next((r for r in runs if r.state == "finished"), None)
    newer = runs[0] if runs and runs[0] is not finished else None
    return finished, newer


def audit_run(service: Service, user: User, run_id: str) -> AuditRun:
    run = next((r for r in audit_runs(service, user) if r.run_id == run_id), None)
    if run is None:
        raise RecordNotFound(
            "No such audit run.", [FieldProblem("audit run", "run_id", run_id, "a kept run")]
        )
    return run


def run_findings(
    service: Service, user: User, run_id: str, *, rule_id: str | None = None
) -> tuple[list[dict[str, str]], int]:
    """Findings of a finished run (pseudonymised), optionally of one rule: the first
    :data:`FINDINGS_PAGE` rows and how many there are in all."""
    run = audit_run(service, user, run_id)
    path = run.folder / "findings.csv"
    if not path.exists():
        return [], 0
    shown: list[dict[str, str]] = []
    total = 0
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            if rule_id is not None and row.get("rule_id") != rule_id:
                continue
            total += 1
            if len(shown) < FINDINGS_PAGE:
                shown.append(row)
    return shown, total
