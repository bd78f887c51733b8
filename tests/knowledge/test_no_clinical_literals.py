"""Engines hold no clinical numbers: every dose, threshold, interval and strength is a cited fact.

An AST scan of ``src/isotrack/engines/**/*.py`` fails on any int or float literal other than
0, 1, -1 and 2 (docs/decisions.md, decision 8). -1 appears in the AST as a negated 1, so it needs
no entry of its own. The allowlist below is for constants that are not clinical; each entry says
why. Anything else belongs in ``knowledge/data/*.toml`` with its source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import isotrack.engines

ENGINES_DIR = Path(isotrack.engines.__file__).parent

TRIVIAL = {0, 1, 2}

# value -> why it is not a clinical number, wherever it appears
NON_CLINICAL_ALLOWLIST: dict[float, str] = {
    100: "percent conversion (a fraction times 100)",
}

# (file relative to src/isotrack, value) -> why; for numbers that are clinical-looking elsewhere
# but not clinical in one file (engines/periods.py derives months per year from the calendar
# module instead of writing 12).
NON_CLINICAL_IN_FILE: dict[tuple[str, float], str] = {
    ("engines/monitoring/alerts.py", 10): "hex characters of the message digest in an alert id",
    ("engines/monitoring/terms.py", 8192): "how many normalised spellings are remembered",
    ("engines/course_prefix.py", 20_000): "how many per-event answers one course keeps",
}


def _round_precisions(tree: ast.AST) -> set[int]:
    """Node ids of the ``ndigits`` argument of ``round(x, n)``: display precision, not dosing."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "round" and len(node.args) == 2:
                ids.add(id(node.args[1]))
            ids.update(id(k.value) for k in node.keywords if k.arg == "ndigits")
    return ids


def clinical_literals(source: str, file_name: str = "<engine>") -> list[str]:
    """``file:line: value`` for every numeric literal an engine must not contain."""
    tree = ast.parse(source, filename=file_name)
    precisions = _round_precisions(tree)
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
            continue
        if not isinstance(node.value, (int, float, complex)):
            continue
        if id(node) in precisions:
            continue
        if node.value in TRIVIAL or node.value in NON_CLINICAL_ALLOWLIST:
            continue
        if (file_name, node.value) in NON_CLINICAL_IN_FILE:
            continue
        found.append((node.lineno, node.col_offset, f"{file_name}:{node.lineno}: {node.value!r}"))
    return [text for _, _, text in sorted(found)]


def test_the_scan_catches_a_hard_coded_threshold() -> None:
    # A triglyceride cut-off of 500 mg/dL and a 0.5 mg/kg/day start dose written into code.
    engine = "def alert(tg):\n    return tg >= 500\n\nSTART = 0.5\n"
    assert clinical_literals(engine, "labs.py") == ["labs.py:2: 500", "labs.py:4: 0.5"]


def test_the_scan_allows_counting_constants_percent_and_display_precision() -> None:
    engine = (
        "def share(done, total):\n"
        "    if total == 0:\n"
        "        return -1\n"
        "    return round(done / total * 100, 3), items[2:], flag is True\n"
    )
    assert clinical_literals(engine) == []


def test_engines_read_every_clinical_number_from_the_knowledge_base() -> None:
    offenders = []
    for path in sorted(ENGINES_DIR.rglob("*.py")):
        relative = path.relative_to(ENGINES_DIR.parent).as_posix()
        offenders.extend(clinical_literals(path.read_text("utf-8"), relative))
    assert offenders == [], "move these numbers into knowledge/data with a source:\n" + "\n".join(
        offenders
    )
