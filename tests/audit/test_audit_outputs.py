"""The command: outputs on disk, the exit code for --fail-on, and a report that renders offline
in Chromium."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest
from audit_cases import KEY
from typer.testing import CliRunner

from isotrack.cli import app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "audit-report.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("audit-cli")
    runner = CliRunner()
    made = runner.invoke(app, ["synth", "--patients", "16", "--seed", "5", "--out", str(work)])
    assert made.exit_code == 0, made.output
    key = work / "key"
    key.write_bytes(KEY)
    out = work / "report"
    result = runner.invoke(
        app,
        [
            "audit",
            "--timelines",
            str(work / "timelines.ndjson"),
            "--as-of",
            "2026-11-01",
            "--workers",
            "0",
            "--pseudonym-key-file",
            str(key),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return work, out


def test_findings_summary_and_report_are_written(audited: tuple[Path, Path]) -> None:
    work, out = audited
    summary = json.loads((out / "summary.json").read_text())
    truth = json.loads((work / "truth.json").read_text())
    with (out / "findings.csv").open() as rows:
        findings = list(csv.DictReader(rows))
    assert summary["courses"] == 16 and summary["findings"] == len(findings) > 0
    assert set(summary["by_policy"]) <= {
        "us-ipledge-2023",
        "us-ipledge-2026",
        "eu-ppp-2018",
        "uk-mhra-2023",
    }
    assert (out / "findings.parquet").stat().st_size > 0
    # Auditors see pseudonyms only: no patient id of the population appears in any output.
    raw_ids = {i["course_id"].split(":")[0] for i in truth["injected"]}
    written = (out / "findings.csv").read_text() + (out / "report.html").read_text()
    assert not any(raw in written for raw in raw_ids)
    assert all(f["patient_id"].startswith("ps-") for f in findings)


def test_the_report_is_self_contained(audited: tuple[Path, Path]) -> None:
    page = (audited[1] / "report.html").read_text()
    assert page.count("<svg") >= 2
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page and "@import" not in page


def test_fail_on_exits_3_when_a_finding_reaches_the_severity(audited: tuple[Path, Path]) -> None:
    work, _ = audited
    runner = CliRunner()
    args = [
        "audit",
        "--timelines",
        str(work / "timelines.ndjson"),
        "--as-of",
        "2026-11-01",
        "--workers",
        "0",
        "--json",
    ]
    failing = runner.invoke(app, [*args, "--fail-on", "medium"])
    assert failing.exit_code == 3
    data = json.loads(failing.stdout)
    assert data["summary"]["findings"] == len(data["findings"])
    wrong = runner.invoke(app, [*args, "--fail-on", "severe"])
    assert wrong.exit_code == 2 and "critical" in wrong.output and "severe" in wrong.output


def test_only_one_source_may_be_named(tmp_path: Path) -> None:
    # Issue 14: no source at all means the configured store (tests/audit/test_store_audit.py).
    result = CliRunner().invoke(
        app, ["audit", "--timelines", str(tmp_path / "a.ndjson"), "--parquet", str(tmp_path)]
    )
    assert result.exit_code == 2 and "--timelines and --parquet" in result.output


def test_synth_refuses_fhir_options_for_another_format_naming_them(tmp_path: Path) -> None:
    # Decision 62: --workers and --gzip shape a FHIR Bulk export; silently ignoring them on a
    # Parquet population would mislead whoever sized a run by them.
    result = CliRunner().invoke(
        app, ["synth", "--patients", "3", "--out", str(tmp_path), "--format", "parquet", "--gzip"]
    )
    assert result.exit_code == 2
    assert "--workers and --gzip apply to --format fhir-ndjson only" in result.output
    assert not (tmp_path / "truth.json").exists()


@pytest.mark.browser
def test_the_report_renders_offline_in_chromium(audited: tuple[Path, Path]) -> None:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        if os.environ.get("ISOTRACK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (ISOTRACK_REQUIRE_BROWSER=1)")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's package 'chromium'")
    report = audited[1] / "report.html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        assert page.locator("svg").count() >= 2
        assert page.get_by_role("heading", name="Top findings").is_visible()
        if os.environ.get("ISOTRACK_WRITE_SCREENSHOTS") == "1":
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=False)
        browser.close()
    assert all(url.startswith("file://") for url in requests)


def test_the_terminal_summary_says_which_resources_were_not_read(tmp_path: Path) -> None:
    # An EHR's export: one lab result came without a unit, the staff list travels with the
    # patients, and one patient's birth date is missing. None of it can be judged; the auditor
    # must be told so, not shown a clean count.
    runner = CliRunner()
    made = runner.invoke(
        app, ["synth", "--patients", "4", "--seed", "5", "--format", "fhir-ndjson",
              "--out", str(tmp_path)],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    export = tmp_path / "fhir"
    observations = [json.loads(line) for line in (export / "Observation.ndjson").open()]
    lab = next(o for o in observations if "valueQuantity" in o and "29463-7" not in str(o))
    del lab["valueQuantity"]["unit"], lab["valueQuantity"]["code"]
    (export / "Observation.ndjson").write_text("".join(json.dumps(o) + "\n" for o in observations))
    (export / "Practitioner.ndjson").write_text('{"resourceType":"Practitioner","id":"dr-1"}\n')
    patients = [json.loads(line) for line in (export / "Patient.ndjson").open()]
    del patients[-1]["birthDate"]
    (export / "Patient.ndjson").write_text("".join(json.dumps(p) + "\n" for p in patients))
    command = ["audit", "--fhir-bulk", str(export), "--as-of", "2026-11-01", "--workers", "0"]
    shown = runner.invoke(app, command)
    assert shown.exit_code == 0, shown.output
    assert "Courses that could not be read: 1:" in shown.output
    assert "no course could be read (the Patient has no birth date" in shown.output
    assert "Resources not read: 2 (courses concerned: 1)" in shown.output
    assert "names no Patient in this export" in shown.output
    as_json = runner.invoke(app, [*command, "--json"])
    listed = json.loads(as_json.stdout)["not_read"]
    assert sorted(item["resource"] for item in listed) == sorted(
        [f"Observation/{lab['id']}", "Practitioner", "(the whole course)"]
    )
    assert patients[-1]["id"] not in as_json.stdout  # the auditor sees pseudonyms only


def test_duckdb_draws_no_progress_bar_inside_the_json_on_standard_output(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # A national export keeps DuckDB busy for minutes; its own bar went to standard output,
    # into the document `--json` prints there. Here a query is shown a bar at once.
    from isotrack.audit.readers import embedded_duckdb

    con = embedded_duckdb("256MB")
    con.execute("SET progress_bar_time = 0")
    total = con.execute("SELECT sum(i % 7) FROM range(200000000) t(i)").fetchone()
    assert total is not None and total[0] > 0
    assert capfd.readouterr().out == ""
