"""The rules of ``DESIGN.md`` ("Parts") as checks over a source tree; each returns the
violations it finds, as lines a person can act on, so that the same checks run on isotrack
and on small made-up trees that prove each can fail."""

from __future__ import annotations

from pathlib import Path

from import_graph import Edge, cycles, import_edges, module_names

MAX_LINES = 400

# What each part may import besides itself: arrows only down, knowledge <- domain <- engines
# <- store <- service <- api/web/cli (interop and audit beside, per DESIGN.md). The doors
# (api, web, cli) reach the store only through the service.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "knowledge": frozenset(),
    "domain": frozenset({"knowledge"}),
    "engines": frozenset({"domain", "knowledge"}),
    "store": frozenset({"domain", "knowledge"}),
    "service": frozenset({"store", "engines", "domain", "knowledge"}),
    "interop": frozenset({"engines", "domain", "knowledge"}),
    "audit": frozenset({"engines", "interop", "domain", "knowledge"}),
    "api": frozenset({"service", "interop", "engines", "domain", "knowledge"}),
    "web": frozenset({"service", "interop", "engines", "domain", "knowledge"}),
    "cli": frozenset({"service", "audit", "interop", "engines", "domain", "knowledge"}),
}
# The composition root at the package's top may import every part.
COMPOSITION_ROOT = frozenset({"", "server", "worker_processes"})
# ``isotrack serve`` starts the composition root's worker processes: the one arrow into it.
ROOT_STARTERS: dict[str, frozenset[str]] = {"cli": frozenset({"worker_processes"})}


def part_of(module: str, package: str) -> str:
    rest = module.removeprefix(package).lstrip(".")
    return rest.split(".")[0] if rest else ""


def arrow_violations(edges: list[Edge], package: str) -> list[str]:
    """Imports that point up, sideways, or from a part the table does not know."""
    found = []
    for edge in edges:
        source, target = part_of(edge.source, package), part_of(edge.target, package)
        if source in COMPOSITION_ROOT or source == target:
            continue
        if target in ROOT_STARTERS.get(source, frozenset()):
            continue
        if source not in MAY_IMPORT:
            found.append(f"{edge.source}: part {source!r} is not in the table of parts")
        elif target not in MAY_IMPORT[source]:
            found.append(
                f"{edge.source}:{edge.line} imports {edge.target} ({source} may import only "
                f"{', '.join(sorted(MAY_IMPORT[source])) or 'itself'})"
            )
    return found


def web_store_imports(edges: list[Edge], package: str) -> list[str]:
    return [
        f"{e.source}:{e.line} imports {e.target}"
        for e in edges
        if part_of(e.source, package) == "web" and part_of(e.target, package) == "store"
    ]


def import_cycles(edges: list[Edge]) -> list[list[str]]:
    """Cycles among modules, counting every import (load time, inside functions, and for type
    checkers): a module that imports another lazily still depends on it."""
    return cycles([Edge(e.source, e.target, e.line, True) for e in edges])


def line_counts(root: Path, package: str) -> dict[str, int]:
    return {
        str(path.relative_to(root.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in module_names(root, package).values()
    }


def oversize_violations(counts: dict[str, int], known: dict[str, int]) -> list[str]:
    """Files over the limit that are not known, and known ones that grew past their mark."""
    found = []
    for path, lines in sorted(counts.items()):
        if lines <= MAX_LINES:
            continue
        if path not in known:
            found.append(f"{path}: {lines} lines (limit {MAX_LINES}); split it along its seams")
        elif lines > known[path]:
            found.append(f"{path}: {lines} lines, grew past its allowed {known[path]}")
    return found


def edges_of(root: Path, package: str) -> list[Edge]:
    return import_edges(root, package)
