"""Issue 16, accounting of disclosures through the audit door: an audit run started by an
auditor reads every course of the store, and each read is in the access log under that
auditor, named by the door the run was started from."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from service_clinic import TODAY, Clinic

from isotrack.audit.run import run_to_folder
from isotrack.service import audit_runs, disclosures
from isotrack.service.context import open_service
from isotrack.service.settings import Settings
from isotrack.store.access_log import accesses_of_patient


def test_an_audit_run_logs_a_read_of_every_course_under_the_auditor(
    settings: Settings, clinic: Clinic, tmp_path: Path
) -> None:
    pytest.importorskip("duckdb", reason="the audit runs on DuckDB (pip install '.[audit]')")
    service = open_service(
        settings.model_copy(update={"data_dir": tmp_path}), today=lambda: TODAY, pool_size=4
    )
    service.start()
    service.audit_runner = run_to_folder
    try:
        door = disclosures.entering("audit")
        try:
            run_id = audit_runs.start_audit_run(service, clinic.users["auditor"])
        finally:
            disclosures.leaving(door)
        deadline = time.monotonic() + 600  # a wait for the run, never a timing assertion
        while audit_runs.audit_run(service, clinic.users["auditor"], run_id).state == "running":
            assert time.monotonic() < deadline, "the audit run did not finish"
            time.sleep(0.2)
        assert audit_runs.audit_run(service, clinic.users["auditor"], run_id).state == "finished"
        with service.database.reading() as connection:
            for header in clinic.courses.values():
                reads = [
                    (a.username, a.role, a.door, a.action)
                    for a in accesses_of_patient(connection, header.patient_id)
                    if a.course_id == header.id
                ]
                assert ("auditor", "auditor", "audit", "read") in reads, header.id
    finally:
        service.close()
