"""``isotrack facts``: browse and validate the cited knowledge base.

One command with views: facts (default), ``--myths``, ``--disagreements`` (with ``--policy`` to
show which position a programme takes) and ``--sources``; ``--check`` validates the whole base
and exits non-zero listing every problem. Every view can print JSON for machines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel
from rich.table import Table

from isotrack.cli.output import console, emit_json, fail
from isotrack.knowledge.loader import (
    DATA_DIR,
    Knowledge,
    KnowledgeError,
    parse_knowledge,
    read_data_files,
)
from isotrack.knowledge.model import Disagreement, Fact, Myth, Policy, Position

# The record kinds `--check` always reports, even when a section is empty.
_CORE_COUNTS = ("source", "fact", "product", "disagreement", "myth", "policy")


def _read_base(data_dir: Path) -> Knowledge:
    """Parse every TOML file of ``data_dir``; the registry import adds the engines' sections."""
    import isotrack.knowledge.registry  # noqa: F401

    files = read_data_files(data_dir)
    if not files:
        raise KnowledgeError([f"no .toml files in {data_dir}"])
    return parse_knowledge(files)


def _load_or_fail(data_dir: Path) -> Knowledge:
    try:
        return _read_base(data_dir)
    except KnowledgeError as exc:
        listing = "\n".join(f"  - {problem}" for problem in exc.problems)
        fail(f"the knowledge base is invalid (run `isotrack facts --check`):\n{listing}")


def _source_summary(knowledge: Knowledge, source_id: str) -> dict[str, Any]:
    source = knowledge.sources[source_id]
    return {
        "id": source.id,
        "kind": source.kind.value,
        "issuer": source.issuer,
        "title": source.title,
        "year": source.year,
        "doi": source.doi,
        "url": source.url,
    }


def _cite_line(knowledge: Knowledge, source_ids: Iterable[str]) -> str:
    """One line per source: id, issuer, year and where to find it."""
    lines = []
    for source_id in source_ids:
        source = knowledge.sources[source_id]
        year = f", {source.year}" if source.year else ""
        where = f"doi:{source.doi}" if source.doi else (source.url or "")
        lines.append(f"{source.id}: {source.issuer}{year} {where}")
    return "\n".join(lines)


def _number_text(
    value: float | None, low: float | None, high: float | None, text: str | None = None
) -> str:
    if value is not None:
        return f"{value:g}"
    if low is not None and high is not None:
        return f"{low:g}–{high:g}"
    return text or ""


def _matches(topic: str | None, *candidates: str | Sequence[str]) -> bool:
    """True when the topic is an id prefix of the first candidate or equals any other tag."""
    if topic is None:
        return True
    wanted = topic.lower()
    record_id, *tags = candidates
    if isinstance(record_id, str) and record_id.lower().startswith(wanted):
        return True
    for tag in tags:
        values = [tag] if isinstance(tag, str) else list(tag)
        if any(value.lower() == wanted for value in values):
            return True
    return False


def _nothing_matches(topic: str, known: Iterable[str]) -> None:
    fail(f"nothing matches {topic!r}; known topics: {', '.join(sorted(set(known)))}", code=1)


def _dump(record: BaseModel) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude_none=True)


# --- views ----------------------------------------------------------------------------------


def _show_facts(knowledge: Knowledge, topic: str | None, as_json: bool) -> None:
    facts = [f for f in knowledge.facts.values() if _matches(topic, f.id, f.applies_to)]
    if topic is not None and not facts:
        prefixes = {f.id.split(".")[0] for f in knowledge.facts.values()}
        _nothing_matches(
            topic, prefixes | {t for f in knowledge.facts.values() for t in f.applies_to}
        )
    facts.sort(key=lambda f: f.id)
    if as_json:
        emit_json({"facts": [_fact_json(knowledge, f) for f in facts]})
        return
    columns = ("id", "value", "unit", "evidence", "note", "sources")
    table = Table(*columns, title=f"facts ({len(facts)})", show_lines=True)
    for fact in facts:
        table.add_row(
            fact.id,
            _number_text(fact.value, fact.low, fact.high, fact.text),
            fact.unit,
            fact.evidence.value,
            fact.note,
            _cite_line(knowledge, fact.source_ids),
        )
    console.print(table)


def _fact_json(knowledge: Knowledge, fact: Fact) -> dict[str, Any]:
    return {**_dump(fact), "sources": [_source_summary(knowledge, s) for s in fact.source_ids]}


def _show_myths(knowledge: Knowledge, topic: str | None, as_json: bool) -> None:
    myths = [m for m in knowledge.myths.values() if _matches(topic, m.id, m.topic, m.audience)]
    if topic is not None and not myths:
        _nothing_matches(
            topic,
            {m.topic for m in knowledge.myths.values()}
            | {a for m in knowledge.myths.values() for a in m.audience},
        )
    myths.sort(key=lambda m: (m.topic, m.id))
    if as_json:
        emit_json({"myths": [_myth_json(knowledge, m) for m in myths]})
        return
    columns = ("topic", "claim", "verdict", "correction", "claimed by", "sources")
    table = Table(*columns, title=f"myths ({len(myths)})", show_lines=True)
    for myth in myths:
        table.add_row(
            myth.topic,
            myth.claim,
            myth.verdict.value,
            myth.correction,
            ", ".join(myth.claimed_by) or "(common belief)",
            _cite_line(knowledge, myth.source_ids),
        )
    console.print(table)


def _myth_json(knowledge: Knowledge, myth: Myth) -> dict[str, Any]:
    return {
        **_dump(myth),
        "sources": [_source_summary(knowledge, s) for s in myth.source_ids],
        "claimed_by_sources": [_source_summary(knowledge, s) for s in myth.claimed_by],
    }


def _show_disagreements(
    knowledge: Knowledge, topic: str | None, policy_id: str | None, as_json: bool
) -> None:
    policy: Policy | None = None
    if policy_id is not None:
        try:
            policy = knowledge.policy(policy_id)
        except KeyError as exc:
            fail(str(exc.args[0]))
    chosen = dict(policy.positions) if policy is not None else {}
    found = [d for d in knowledge.disagreements.values() if _matches(topic, d.id, d.topic)]
    if topic is not None and not found:
        _nothing_matches(topic, {d.topic for d in knowledge.disagreements.values()})
    found.sort(key=lambda d: (d.topic, d.id))
    if as_json:
        emit_json(
            {
                "policy": policy.id if policy is not None else None,
                "disagreements": [
                    _disagreement_json(knowledge, d, chosen.get(d.id), policy is not None)
                    for d in found
                ],
            }
        )
        return
    for disagreement in found:
        _print_disagreement(knowledge, disagreement, chosen.get(disagreement.id), policy)


def _disagreement_json(
    knowledge: Knowledge, disagreement: Disagreement, chosen_id: str | None, with_policy: bool
) -> dict[str, Any]:
    positions = []
    for position in disagreement.positions:
        entry = {
            **_dump(position),
            "sources": [_source_summary(knowledge, s) for s in position.source_ids],
        }
        if with_policy:
            entry["chosen"] = position.id == chosen_id
        positions.append(entry)
    result: dict[str, Any] = {**_dump(disagreement), "positions": positions}
    if with_policy:
        result["chosen_position"] = chosen_id
    return result


def _print_disagreement(
    knowledge: Knowledge,
    disagreement: Disagreement,
    chosen_id: str | None,
    policy: Policy | None,
) -> None:
    title = f"{disagreement.id} [{disagreement.topic}]: {disagreement.question}"
    columns = ["position", "summary", "value", "unit", "sources"]
    if policy is not None:
        columns.insert(0, "chosen")
    table = Table(*columns, title=title, show_lines=True, title_justify="left")
    for position in disagreement.positions:
        row = [
            position.id,
            position.summary,
            _number_text(position.value, position.low, position.high),
            position.unit or "",
            _cite_line(knowledge, position.source_ids),
        ]
        if policy is not None:
            row.insert(0, _chosen_mark(position, chosen_id))
        table.add_row(*row)
    console.print(table)
    if disagreement.note:
        console.print(f"  note: {disagreement.note}", highlight=False)
    if policy is not None and chosen_id is None:
        console.print(
            f"  {policy.id} takes no position on this question.", highlight=False, soft_wrap=True
        )


def _chosen_mark(position: Position, chosen_id: str | None) -> str:
    return "✔" if position.id == chosen_id else ""


def _show_sources(knowledge: Knowledge, topic: str | None, as_json: bool) -> None:
    cited_by = knowledge.citations()
    found = [s for s in knowledge.sources.values() if _matches(topic, s.id, s.kind.value)]
    if topic is not None and not found:
        _nothing_matches(topic, {s.kind.value for s in knowledge.sources.values()})
    found.sort(key=lambda s: s.id)
    if as_json:
        emit_json(
            {"sources": [{**_dump(s), "cited_by": sorted(cited_by.get(s.id, ()))} for s in found]}
        )
        return
    columns = ("id", "kind", "issuer", "title", "year", "doi / url", "cited by")
    table = Table(*columns, title=f"sources ({len(found)})", show_lines=True)
    for source in found:
        table.add_row(
            source.id,
            source.kind.value,
            source.issuer,
            source.title,
            str(source.year or ""),
            f"doi:{source.doi}" if source.doi else (source.url or ""),
            str(len(cited_by.get(source.id, ()))),
        )
    console.print(table)


def _check(data_dir: Path, as_json: bool) -> None:
    try:
        knowledge = _read_base(data_dir)
    except KnowledgeError as exc:
        if as_json:
            emit_json({"valid": False, "counts": None, "problems": exc.problems})
        else:
            console.print(
                f"[bold red]the knowledge base in {data_dir} is invalid: "
                f"{len(exc.problems)} problem(s)[/]",
                highlight=False,
                soft_wrap=True,
            )
            for problem in exc.problems:
                console.print(f"  - {problem}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    counts = {name: len(knowledge.sections.get(name, {})) for name in _CORE_COUNTS}
    counts.update({name: len(r) for name, r in knowledge.sections.items() if name not in counts})
    if as_json:
        emit_json({"valid": True, "counts": counts, "problems": []})
        return
    table = Table(title="knowledge base: valid")
    table.add_column("records")
    table.add_column("count", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    console.print(table)


def show_facts(
    topic: str | None,
    *,
    as_json: bool,
    check: bool,
    myths: bool,
    disagreements: bool,
    sources: bool,
    policy: str | None,
    data_dir: Path | None,
) -> None:
    """The ``facts`` command's work (``facts_commands`` holds only its options)."""
    data_dir = data_dir or DATA_DIR
    if policy is not None:
        disagreements = True
    chosen_views = {
        "--check": check,
        "--myths": myths,
        "--disagreements": disagreements,
        "--sources": sources,
    }
    views = [name for name, on in chosen_views.items() if on]
    if len(views) > 1:
        fail(f"choose one view, not {' and '.join(views)}")
    if check:
        _check(data_dir, as_json)
        return
    knowledge = _load_or_fail(data_dir)
    if myths:
        _show_myths(knowledge, topic, as_json)
    elif disagreements:
        _show_disagreements(knowledge, topic, policy, as_json)
    elif sources:
        _show_sources(knowledge, topic, as_json)
    else:
        _show_facts(knowledge, topic, as_json)
