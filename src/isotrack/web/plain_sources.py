"""Sources named as a person would say them: "the medicine's official label (FDA, 2023)".

The kind of source is isotrack's own wording and is said in the patient's language; who
issued it stays as the source names itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Source, SourceKind
from isotrack.web.i18n import N_, Speaker

_KIND_WORDS = {
    SourceKind.LABEL: N_("the medicine's official prescribing information"),
    SourceKind.GUIDELINE: N_("a clinical guideline"),
    SourceKind.CONSENSUS: N_("an expert consensus"),
    SourceKind.STUDY: N_("a study"),
    SourceKind.REVIEW: N_("a review of studies"),
    SourceKind.REGULATOR_PROGRAMME: N_("the regulator's pregnancy prevention programme"),
    SourceKind.POPULAR_ARTICLE: N_("an article for the public"),
    SourceKind.REGISTRY: N_("a registry"),
    SourceKind.SERVICE: N_("a public service"),
    SourceKind.PROJECT_DECISION: N_("isotrack's own documented choice"),
}


A_SOURCE = N_("a source")


@dataclass(frozen=True)
class PlainSource:
    kind: str  # "a study", in the reader's language
    issuer: str  # "FDA, 2023", as the source names itself
    href: str | None
    title: str

    @property
    def text(self) -> str:
        return f"{self.kind} ({self.issuer})"


def plain_source(source: Source, words: Speaker | None = None) -> PlainSource:
    when = f", {source.year}" if source.year else ""
    kind = _KIND_WORDS.get(source.kind, A_SOURCE)
    href = source.url or (f"https://doi.org/{source.doi}" if source.doi else None)
    said = words.gettext(kind) if words is not None else kind
    return PlainSource(said, f"{source.issuer}{when}", href, source.title)


def plain_sources(
    knowledge: Knowledge, source_ids: Sequence[str], words: Speaker | None = None
) -> list[PlainSource]:
    """Each known source once, in the order first cited."""
    seen: list[str] = []
    for source_id in source_ids:
        if source_id in knowledge.sources and source_id not in seen:
            seen.append(source_id)
    return [plain_source(knowledge.sources[s], words) for s in seen]
