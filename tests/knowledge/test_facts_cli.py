"""``isotrack facts``: what a prescriber or a script sees when browsing the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from isotrack.cli import app

runner = CliRunner()


def facts(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["facts", *(str(a) for a in args)])
    return result.exit_code, result.output


def facts_json(*args: str | Path) -> Any:
    result = runner.invoke(app, ["facts", "--json", *(str(a) for a in args)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_check_reports_the_counts_of_a_valid_base(own_data_dir: Path) -> None:
    report = facts_json("--check", "--data-dir", own_data_dir)
    assert report["valid"] is True
    assert report["problems"] == []
    counts = report["counts"]
    assert set(counts) >= {"source", "fact", "product", "disagreement", "myth", "policy"}
    assert counts["disagreement"] >= 6
    assert counts["myth"] >= 6


def test_check_prints_a_readable_table(own_data_dir: Path) -> None:
    code, output = facts("--check", "--data-dir", own_data_dir)
    assert code == 0
    assert "knowledge base: valid" in output
    assert "disagreement" in output


def test_check_fails_and_lists_every_problem(own_data_dir: Path) -> None:
    # A clinic edits a copy and cites a guideline it never added to the bibliography, and
    # writes a unit with a typo.
    (own_data_dir / "clinic.toml").write_text(
        """
[[fact]]
id = "clinic.recheck_interval_weeks"
value = 8
unit = "weeks"
source_ids = ["clinic-protocol-2026"]
evidence = "expert_opinion"
note = "Our own recheck interval."

[[fact]]
id = "clinic.start_dose"
value = 0.5
unit = "mg/kg/dy"
source_ids = ["uk-smpc"]
evidence = "label"
note = "Start dose."
""",
        encoding="utf-8",
    )
    code, output = facts("--check", "--data-dir", own_data_dir)
    assert code == 1
    assert "invalid: 2 problem(s)" in output
    assert "cites missing source 'clinic-protocol-2026'" in output
    assert "'mg/kg/dy' is not a known unit" in output


def test_check_as_json_names_the_problems(own_data_dir: Path) -> None:
    (own_data_dir / "sources.toml").unlink()
    result = runner.invoke(app, ["facts", "--check", "--json", "--data-dir", str(own_data_dir)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert any("cites missing source 'uk-smpc'" in p for p in report["problems"])


def test_check_refuses_a_directory_without_knowledge_files(tmp_path: Path) -> None:
    code, output = facts("--check", "--data-dir", tmp_path)
    assert code == 1
    assert "no .toml files" in output


def test_a_topic_selects_facts_by_id_prefix_with_their_sources(own_data_dir: Path) -> None:
    listing = facts_json("pk.half_life", "--data-dir", own_data_dir)["facts"]
    ids = {f["id"] for f in listing}
    assert "pk.half_life_single_dose_h" in ids
    assert all(i.startswith("pk.half_life") for i in ids)
    single = next(f for f in listing if f["id"] == "pk.half_life_single_dose_h")
    # Khoo 1982: about 20 h after a single 100 mg dose.
    assert (single["value"], single["unit"], single["evidence"]) == (20, "h", "study")
    assert single["sources"][0]["id"] == "khoo"
    assert single["sources"][0]["year"] == 1982


def test_a_topic_also_matches_what_a_fact_applies_to(own_data_dir: Path) -> None:
    listing = facts_json("absorica-ld", "--data-dir", own_data_dir)["facts"]
    assert listing
    assert all("absorica-ld" in f["applies_to"] for f in listing)


def test_the_fact_table_shows_range_unit_evidence_and_source(own_data_dir: Path) -> None:
    code, output = facts("remission", "--data-dir", own_data_dir)
    assert code == 0
    assert "70–80" in output
    assert "percent" in output
    assert "thielitz-2013" in output


def test_an_unknown_topic_is_an_error_listing_the_known_ones(own_data_dir: Path) -> None:
    code, output = facts("dosage-of-unicorns", "--data-dir", own_data_dir)
    assert code == 1
    assert "nothing matches 'dosage-of-unicorns'" in output
    assert "pk" in output


def test_myths_for_a_patient_who_can_get_pregnant(own_data_dir: Path) -> None:
    myths = facts_json("--myths", "can_get_pregnant", "--data-dir", own_data_dir)["myths"]
    ids = {m["id"] for m in myths}
    assert {"malformations_45_percent", "fertility_unaffected", "reduces_pill_efficacy"} <= ids
    assert all("can_get_pregnant" in m["audience"] for m in myths)


def test_a_myth_shows_its_verdict_correction_and_who_claimed_it(own_data_dir: Path) -> None:
    myths = facts_json("--myths", "indications", "--data-dir", own_data_dir)["myths"]
    harlequin = next(m for m in myths if m["id"] == "harlequin_ichthyosis_approved")
    assert harlequin["verdict"] == "false"
    assert [s["id"] for s in harlequin["claimed_by_sources"]] == ["seed-000"]
    assert {s["id"] for s in harlequin["sources"]} == {"us-plr", "uk-smpc"}


def test_the_myth_table_is_readable(own_data_dir: Path) -> None:
    code, output = facts("--myths", "fertility", "--data-dir", own_data_dir)
    assert code == 0
    assert "unsupported" in output
    assert "seed-003" in output


def test_disagreements_list_every_position_with_its_sources(own_data_dir: Path) -> None:
    listing = facts_json("--disagreements", "cumulative", "--data-dir", own_data_dir)
    assert listing["policy"] is None
    (target,) = listing["disagreements"]
    positions = {p["id"]: p for p in target["positions"]}
    assert {"label_120_150", "treat_to_clearance", "high_220"} <= set(positions)
    assert positions["high_220"]["value"] == 220
    assert "blasiak" in {s["id"] for s in positions["high_220"]["sources"]}
    assert "chosen" not in positions["high_220"]


def write_policy(directory: Path) -> None:
    """A clinic that follows the EU programme but tests at 5 weeks after the last dose."""
    (directory / "clinic_policy.toml").write_text(
        """
[[policy]]
id = "clinic-five-weeks"
title = "Clinic profile with a five-week final pregnancy test"
market = "EU"
programme = "PPP"
edition = "2018"
source_ids = ["uk-smpc-2"]

[policy.positions]
post_treatment_pregnancy_test = "five_weeks"
""",
        encoding="utf-8",
    )


def test_a_policy_marks_the_position_it_takes(own_data_dir: Path) -> None:
    write_policy(own_data_dir)
    listing = facts_json(
        "--disagreements", "pregnancy", "--policy", "clinic-five-weeks", "--data-dir", own_data_dir
    )
    assert listing["policy"] == "clinic-five-weeks"
    (question,) = [
        d for d in listing["disagreements"] if d["id"] == "post_treatment_pregnancy_test"
    ]
    assert question["chosen_position"] == "five_weeks"
    chosen = {p["id"]: p["chosen"] for p in question["positions"]}
    assert chosen == {"one_month": False, "five_weeks": True}


def test_the_policy_table_ticks_the_chosen_position_and_says_where_it_is_silent(
    own_data_dir: Path,
) -> None:
    write_policy(own_data_dir)
    code, output = facts("--policy", "clinic-five-weeks", "--data-dir", own_data_dir)
    assert code == 0
    assert "✔" in output
    # The profile says nothing about the course length, and the output admits it.
    assert "clinic-five-weeks takes no position on this question" in output


def test_an_unknown_policy_is_an_error_listing_the_known_ones(own_data_dir: Path) -> None:
    write_policy(own_data_dir)
    code, output = facts(
        "--disagreements", "--policy", "us-ipledge-2099", "--data-dir", own_data_dir
    )
    assert code == 2
    assert "unknown policy 'us-ipledge-2099'" in output
    assert "clinic-five-weeks" in output


def test_sources_show_what_cites_them(own_data_dir: Path) -> None:
    listing = facts_json("--sources", "seed", "--data-dir", own_data_dir)["sources"]
    assert [s["id"] for s in listing] == [
        "seed-000",
        "seed-001",
        "seed-002",
        "seed-003",
        "seed-004",
    ]
    article = listing[-1]
    assert article["doi"] == "10.5281/zenodo.19348988"
    assert "myth:malformations_45_percent" not in article["cited_by"]
    assert "disagreement:post_treatment_pregnancy_test" in article["cited_by"]


def test_sources_can_be_filtered_by_kind(own_data_dir: Path) -> None:
    listing = facts_json("--sources", "consensus", "--data-dir", own_data_dir)["sources"]
    assert {"delphi", "ga-2018", "asds"} <= {s["id"] for s in listing}
    assert all(s["kind"] == "consensus" for s in listing)


def test_two_views_at_once_are_refused(own_data_dir: Path) -> None:
    code, output = facts("--myths", "--sources", "--data-dir", own_data_dir)
    assert code == 2
    assert "choose one view" in output


def test_an_invalid_base_stops_the_listing_with_the_problems(own_data_dir: Path) -> None:
    (own_data_dir / "myths.toml").unlink()
    code, output = facts("--data-dir", own_data_dir)
    assert code == 2
    assert "the knowledge base is invalid" in output
    assert "is cited by nothing" in output
