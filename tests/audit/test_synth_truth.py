"""The synthetic population: deterministic per seed, and the audit recovers exactly what was
injected (every violation found, nothing else flagged)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from audit_cases import KEY

from isotrack.audit.findings import Pseudonymiser
from isotrack.audit.readers import NdjsonTimelines
from isotrack.audit.run import AuditOptions, run_audit
from isotrack.audit.synth_files import write_population

PATIENTS = 36
SEED = 11


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    write_population(PATIENTS, SEED, "timeline-ndjson", out)
    return out


def test_the_same_seed_writes_the_same_population(population: Path, tmp_path: Path) -> None:
    write_population(PATIENTS, SEED, "timeline-ndjson", tmp_path)
    assert (tmp_path / "timelines.ndjson").read_bytes() == (
        population / "timelines.ndjson"
    ).read_bytes()
    assert (tmp_path / "truth.json").read_bytes() == (population / "truth.json").read_bytes()


def test_every_policy_and_both_course_endings_are_present(population: Path) -> None:
    lines = (population / "timelines.ndjson").read_text().splitlines()
    courses = [json.loads(line) for line in lines]
    assert {c["policy"] for c in courses} == {
        "us-ipledge-2023",
        "us-ipledge-2026",
        "eu-ppp-2018",
        "uk-mhra-2023",
    }
    reasons = {e.get("reason") for c in courses for e in c["events"] if e["type"] == "course_end"}
    assert reasons == {"completed", "patient_choice"}


def test_the_audit_finds_every_injected_violation_and_nothing_else(population: Path) -> None:
    truth = json.loads((population / "truth.json").read_text())
    assert len({i["kind"] for i in truth["injected"]}) >= 5  # a varied sample, not one kind
    outcome = run_audit(
        NdjsonTimelines(population / "timelines.ndjson"),
        AuditOptions(
            audit_date=dt.date.fromisoformat(truth["audit_date"]),
            pseudonym_key=KEY,
            keep_findings=True,
        ),
    )
    pseudonym = Pseudonymiser(KEY)
    by_course = {pseudonym(i["course_id"]): i for i in truth["injected"]}
    for injected in truth["injected"]:
        assert any(
            f.course_id == pseudonym(injected["course_id"])
            and f.rule_id.startswith(injected["rule_id"])
            and f.event_id == injected["event_id"]
            for f in outcome.findings
        ), f"injected {injected['kind']} in {injected['course_id']} was not found"
    for finding in outcome.findings:
        injected = by_course.get(finding.course_id)
        assert injected is not None, f"{finding.rule_id} flagged in a compliant course"
        assert any(finding.rule_id.startswith(r) for r in injected["allowed_rules"])
        assert finding.event_id in injected["allowed_events"]
    assert outcome.summary.courses == PATIENTS
    assert outcome.summary.sql_disagreements == 0


def test_uk_courses_get_the_missing_monthly_test_and_the_audit_finds_it() -> None:
    # UK-PT-03 (decision 25): the MHRA programme asks a test every month, so synth injects
    # the violation under uk-mhra-2023 too, and the engine refuses the fill.
    from isotrack.audit.batch import knowledge
    from isotrack.audit.rules import audit_course
    from isotrack.audit.synth import AUDIT_DATE, synth_course
    from isotrack.domain.timeline import load_timeline

    uk_missing = []
    for index in range(400):
        timeline, injection = synth_course(SEED, index)
        if (
            injection is not None
            and injection.kind == "missing_monthly_test"
            and timeline["policy"] == "uk-mhra-2023"
        ):
            uk_missing.append((timeline, injection))
    assert uk_missing, "no UK course of the first 400 got the missing monthly test"
    for timeline, injection in uk_missing[:3]:
        found = audit_course(knowledge(), load_timeline(timeline), AUDIT_DATE).findings
        assert any(
            f.rule_id.startswith(injection.rule_id) and f.event_id == injection.event_id
            for f in found
        )
        assert all(f.event_id in injection.allowed_events for f in found)
