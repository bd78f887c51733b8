"""Sources named as a person would say them: "the medicine's official label (FDA, 2023)"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Source, SourceKind

_KIND_WORDS = {
    SourceKind.LABEL: "the medicine's official prescribing information",
    SourceKind.GUIDELINE: "a clinical guideline",
    SourceKind.CONSENSUS: "an expert consensus",
    SourceKind.STUDY: "a study",
    SourceKind.REVIEW: "a review of studies",
    SourceKind.REGULATOR_PROGRAMME: "the regulator's pregnancy prevention programme",
    SourceKind.POPULAR_ARTICLE: "an article for the public",
    SourceKind.REGISTRY: "a registry",
    SourceKind.SERVICE: "a public service",
    SourceKind.PROJECT_DECISION: "isotrack's own documented choice",
}


@dataclass(frozen=True)
class PlainSource:
    text: str
    href: str | None
    title: str


def plain_source(source: Source) -> PlainSource:
    who = source.issuer
    when = f", {source.year}" if source.year else ""
    text = f"{_KIND_WORDS.get(source.kind, 'a source')} ({who}{when})"
    href = source.url or (f"https://doi.org/{source.doi}" if source.doi else None)
    return PlainSource(text, href, source.title)


def plain_sources(knowledge: Knowledge, source_ids: Sequence[str]) -> list[PlainSource]:
    """Each known source once, in the order first cited."""
    seen: list[str] = []
    for source_id in source_ids:
        if source_id in knowledge.sources and source_id not in seen:
            seen.append(source_id)
    return [plain_source(knowledge.sources[s]) for s in seen]
