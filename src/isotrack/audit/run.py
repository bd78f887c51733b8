"""One audit run: a source, a runner, the outputs. Called by the CLI, the tests and the bench."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from isotrack.audit.batch import BatchJob, BatchResult, knowledge
from isotrack.audit.findings import Finding, NotRead
from isotrack.audit.readers import TimelineSource
from isotrack.audit.summary import AuditSummary
from isotrack.knowledge.clinic_overlay import SettingsPeriod

ENGINES = ("duckdb", "spark")
# The SQL pre-check's limit is the general programme fact; the engine applies each policy's.
SQL_SUPPLY_FACT = "programme.max_days_supply"


@dataclass
class AuditOptions:
    audit_date: dt.date
    pseudonym_key: bytes
    engine: str = "duckdb"
    master: str = "local[*]"
    workers: int = 0
    batch_size: int = 64
    out_dir: Path | None = None
    keep_findings: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class AuditOutcome:
    summary: AuditSummary
    findings: list[Finding]
    not_read: list[NotRead] = field(default_factory=list)


def run_audit(
    source: TimelineSource,
    options: AuditOptions,
    on_courses: Callable[[int], None] | None = None,
) -> AuditOutcome:
    """Audit every course of ``source``; findings stream to ``out_dir`` when one is given."""
    if options.engine not in ENGINES:
        raise ValueError(f"--engine {options.engine!r} is not known; allowed: {', '.join(ENGINES)}")
    overlay = getattr(source, "overlay", None)
    history: tuple[SettingsPeriod, ...] = getattr(source, "settings_history", ())
    job = BatchJob(
        audit_date=options.audit_date,
        pseudonym_key=options.pseudonym_key,
        max_days_supply_sql=int(knowledge().number(SQL_SUPPLY_FACT)),
        overlay=overlay,
        settings_history=history,
    )
    summary = AuditSummary(source.description, options.engine, options.audit_date.isoformat())
    summary.notes.extend(options.notes)
    if any(not period.overlay.empty for period in history):
        summary.notes.append(
            "Each fill judged with the clinic's programme settings in force when it was "
            f"recorded ({len(history)} states of the settings in the admin console's history; "
            "a fill imported with its course, with those in force at the start of its day)."
        )
    if overlay is not None and not overlay.empty:
        summary.notes.append(
            "The look back after the fills (post-treatment test, contraception, exposures) "
            "judged with the clinic's programme settings in force when the audit ran (admin "
            "console): "
            + "; ".join(
                f"{knowledge().policy(policy_id).title}: {override.reason}"
                for policy_id, overrides in sorted(overlay.overrides.items())
                for override in overrides
            )
        )
    summary.recording_times = bool(getattr(source, "recording_times", False))
    kept: list[Finding] = []
    kept_not_read: list[NotRead] = []
    files = None
    if options.out_dir is not None:
        from isotrack.audit.outputs import FindingFiles

        files = FindingFiles(options.out_dir)

    def keep(result: BatchResult) -> None:
        summary.add_courses(result.courses)
        summary.add_findings(result.findings)
        summary.add_unreadable(result.unreadable)
        summary.add_not_read(result.not_read)
        not_read = result.unreadable + result.not_read
        if files is not None:
            files.write(result.findings)
            files.write_not_read(not_read)
        if options.keep_findings:
            kept.extend(result.findings)
            kept_not_read.extend(not_read)

    def take(result: BatchResult) -> None:
        keep(result)
        if on_courses is not None:
            on_courses(len(result.courses) + len(result.unreadable))

    try:
        if options.engine == "spark":
            from isotrack.audit.spark_runner import run_spark

            # Spark's rows come back only when every task is done: progress comes from the
            # tasks as they finish instead, so the results are not counted twice.
            run_spark(
                source, job, keep, master=options.master, batch_size=options.batch_size,
                on_audited=on_courses,
            )  # fmt: skip
        else:
            from isotrack.audit.runners import run_duckdb

            run_duckdb(source, job, take, workers=options.workers, batch_size=options.batch_size)
    finally:
        if files is not None:
            files.close()
    if options.out_dir is not None:
        from isotrack.audit.outputs import write_summary
        from isotrack.audit.report_html import render_report

        write_summary(options.out_dir, summary.as_json())
        (options.out_dir / "report.html").write_text(render_report(summary), encoding="utf-8")
    kept.sort(key=Finding.sort_key)
    return AuditOutcome(summary, kept, kept_not_read)


def run_to_folder(source: TimelineSource, folder: Path, audit_date: dt.date, key: bytes) -> None:
    """An audit whose outputs (summary, findings, report) go to ``folder``, engines in this
    process: what a server's background audit run calls (``service.audit_runs``). The plots
    are also kept as ``plot-N.svg`` for the auditor's page."""
    from isotrack.audit.report_html import plots

    outcome = run_audit(
        source, AuditOptions(audit_date=audit_date, pseudonym_key=key, out_dir=folder)
    )
    for number, svg in enumerate(plots(outcome.summary)):
        (folder / f"plot-{number}.svg").write_text(svg, encoding="utf-8")
