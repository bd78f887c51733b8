"""Engines are pure and imports point downward (docs: DESIGN.md, "Parts").

An AST scan of ``src/isotrack``: the knowledge base imports nothing of ours but itself; the domain
imports only knowledge and domain; engines import only knowledge, domain and engines, and never
read a clock, a file or the environment. A test that cannot fail is worthless, so each rule is
first shown to catch a made-up offender.
"""

from __future__ import annotations

import ast
from pathlib import Path

import isotrack

PACKAGE_DIR = Path(isotrack.__file__).parent

ALLOWED_IMPORTS = {
    "knowledge": ("isotrack.knowledge",),
    "domain": ("isotrack.knowledge", "isotrack.domain"),
    "engines": ("isotrack.knowledge", "isotrack.domain", "isotrack.engines"),
    # The population audit calls the engines and the interop mappers, never the store or service.
    "audit": (
        "isotrack.knowledge",
        "isotrack.domain",
        "isotrack.engines",
        "isotrack.interop",
        "isotrack.audit",
    ),
}

# Calls that read the clock, the file system or the environment.
IMPURE_ATTRIBUTES = {"today", "now", "utcnow", "read_text", "read_bytes", "getenv", "environ"}
IMPURE_NAMES = {"open", "input", "print"}


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def upward_imports(source: str, part: str, file_name: str = "<module>") -> list[str]:
    """``file:line: module`` for every isotrack import a part may not make."""
    allowed = ALLOWED_IMPORTS[part]
    return [
        f"{file_name}:{line}: {module}"
        for line, module in _imported(ast.parse(source, filename=file_name))
        if module.startswith("isotrack") and not module.startswith(allowed)
    ]


def impure_calls(source: str, file_name: str = "<engine>") -> list[str]:
    """``file:line: name`` for every use of a clock, file or environment reader."""
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(ast.parse(source, filename=file_name)):
        if isinstance(node, ast.Attribute) and node.attr in IMPURE_ATTRIBUTES:
            found.append((node.lineno, node.col_offset, node.attr))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in IMPURE_NAMES
        ):
            found.append((node.lineno, node.col_offset, node.func.id))
    return [f"{file_name}:{line}: {name}" for line, _, name in sorted(found)]


def _sources(part: str) -> list[tuple[str, str]]:
    return [
        (path.relative_to(PACKAGE_DIR).as_posix(), path.read_text("utf-8"))
        for path in sorted((PACKAGE_DIR / part).rglob("*.py"))
    ]


def test_the_scans_catch_an_engine_that_reads_the_clock_and_the_store() -> None:
    engine = (
        "import datetime as dt\n"
        "from isotrack.store.courses import load_course\n"
        "def due():\n"
        "    return dt.date.today(), open('x')\n"
    )
    assert upward_imports(engine, "engines", "e.py") == ["e.py:2: isotrack.store.courses"]
    assert impure_calls(engine, "e.py") == ["e.py:4: today", "e.py:4: open"]


def test_the_scans_allow_downward_imports_and_date_arithmetic() -> None:
    engine = (
        "import datetime as dt\n"
        "from isotrack.domain.timeline import Timeline\n"
        "def due(day: dt.date) -> dt.date:\n"
        "    return day + dt.timedelta(days=1)\n"
    )
    assert upward_imports(engine, "engines") == [] and impure_calls(engine) == []


def test_each_part_imports_only_the_parts_below_it() -> None:
    offenders = [
        offence
        for part in ALLOWED_IMPORTS
        for name, source in _sources(part)
        for offence in upward_imports(source, part, name)
    ]
    assert offenders == []


def test_engines_read_no_clock_file_or_environment() -> None:
    offenders = [
        offence for name, source in _sources("engines") for offence in impure_calls(source, name)
    ]
    assert offenders == []
