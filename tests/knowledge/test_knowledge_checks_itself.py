"""The knowledge base checks itself when it loads and in ``isotrack facts --check``.

Issue 11: a copy of the packaged data with a broken cross-record link (a policy missing a
parameter one of its rules uses, a lab grade naming a fact that is gone) fails at start with
every problem listed, never with a KeyError at the first decision.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from isotrack.cli import app
from isotrack.knowledge import KnowledgeError, parse_knowledge
from isotrack.knowledge.loader import DATA_DIR, read_data_files


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_packaged_knowledge_passes_every_cross_record_check() -> None:
    parse_knowledge(read_data_files())


def test_a_policy_missing_a_rule_parameter_fails_at_load_listing_the_problem(
    data_copy: Path,
) -> None:
    # The UK policy loses the parameter its dispense-window rule reads.
    policies = data_copy / "policies.toml"
    text = policies.read_text(encoding="utf-8")
    uk = text.index('id = "uk-mhra-2023"')
    line = 'dispense_window_days = "programme.eu.window_days"\n'
    at = text.index(line, uk)
    policies.write_text(text[:at] + text[at + len(line) :], encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        parse_knowledge(read_data_files(data_copy))
    assert any(
        re.search(r"policy 'uk-mhra-2023' lacks parameter 'dispense_window_days'", p)
        for p in caught.value.problems
    ), caught.value.problems


def test_a_lab_grade_naming_a_missing_fact_fails_at_load(data_copy: Path) -> None:
    _edit(
        data_copy / "labs_enzymes.toml",
        'threshold_fact = "labs.ctcae.ck_grade4_above_x_uln"',
        'threshold_fact = "labs.ctcae.ck_grade5_above_x_uln"',
    )
    with pytest.raises(KnowledgeError) as caught:
        parse_knowledge(read_data_files(data_copy))
    assert (
        "lab grade 'grade.ck.grade4' names missing fact 'labs.ctcae.ck_grade5_above_x_uln'"
        in caught.value.problems
    )


def test_a_loinc_code_fixing_a_unit_its_test_cannot_read_fails_at_load(data_copy: Path) -> None:
    _edit(
        data_copy / "labs_blood_count.toml",
        '{ code = "777-3", unit = "10*3/uL" }',
        '{ code = "777-3", unit = "g/L" }',
    )
    with pytest.raises(KnowledgeError) as caught:
        parse_knowledge(read_data_files(data_copy))
    assert any("LOINC 777-3 fixes 'g/L'" in p for p in caught.value.problems)


def test_facts_check_lists_the_same_problems(data_copy: Path) -> None:
    _edit(
        data_copy / "labs_enzymes.toml",
        'position = "bnf_9_mmol_l"',
        'position = "bnf_8_mmol_l"',
    )
    result = CliRunner().invoke(app, ["facts", "--check", "--json", "--data-dir", str(data_copy)])
    assert result.exit_code != 0
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert any("missing position 'bnf_8_mmol_l'" in p for p in report["problems"])
