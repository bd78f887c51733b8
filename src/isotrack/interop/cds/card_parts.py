"""The parts every isotrack card shares: its uuid, source, summary and links."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from isotrack.interop.cds.models import (
    SUMMARY_MAX_CHARS,
    Card,
    Coding,
    Indicator,
    Link,
    Source,
    Suggestion,
)

SOURCE_LABEL = "isotrack"
TOPIC_SYSTEM = "https://isotrack.org/fhir/CodeSystem/cds-topic"
# The 3.0 ballot's example override reasons (non-adherence reason codes); 2.0 leaves the
# choice to the service. Each carries a display (cds-resp-4).
OVERRIDE_SYSTEM = "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes"
OVERRIDE_REASONS: tuple[Coding, ...] = (
    Coding(system=OVERRIDE_SYSTEM, code="cds-not-applicable",
           display="The alert does not apply to this patient"),
    Coding(system=OVERRIDE_SYSTEM, code="recipient-disagrees-evidence",
           display="I disagree with the evidence behind this alert"),
    Coding(system=OVERRIDE_SYSTEM, code="alt-therapy-offered",
           display="Addressed another way; see my comment"),
)  # fmt: skip

_NAMESPACE = uuid.UUID("0b9e5a52-6c1f-4f55-9d63-3c7c8d2e1a40")


@dataclass(frozen=True)
class CardLinks:
    """Where a card's links point: the service's public address and the course, if known."""

    base_url: str
    course_id: str | None = None
    smart_launch_url: str | None = None

    def links(self) -> list[Link]:
        found: list[Link] = []
        if self.course_id:
            found.append(Link(label="Open the course in isotrack", type="absolute",
                              url=f"{self.base_url}/courses/{self.course_id}"))  # fmt: skip
            if self.smart_launch_url:
                smart = Link(label="Open isotrack in the EHR", type="smart",
                             url=self.smart_launch_url, appContext=self.course_id)  # fmt: skip
                found.append(smart)
        else:
            found.append(Link(label="Enrol the patient in isotrack", type="absolute",
                              url=f"{self.base_url}/patients/new"))  # fmt: skip
        return found


def card_uuid(hook_instance: str, kind: str, key: str = "") -> str:
    """Stable per hook call and card: the same request gets the same card ids back."""
    return str(uuid.uuid5(_NAMESPACE, f"{hook_instance}|{kind}|{key}"))


def summary_of(text: str) -> str:
    """One line of at most 140 characters, cut at a word with an ellipsis when longer."""
    line = " ".join(text.split())
    if len(line) <= SUMMARY_MAX_CHARS:
        return line
    cut = line[: SUMMARY_MAX_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def make_card(
    hook_instance: str,
    kind: str,
    key: str,
    *,
    summary: str,
    indicator: Indicator,
    detail: str | None,
    links: CardLinks,
    topic: str,
    suggestions: list[Suggestion] | None = None,
) -> Card:
    return Card(
        uuid=card_uuid(hook_instance, kind, key),
        summary=summary_of(summary),
        detail=detail or None,
        indicator=indicator,
        source=Source(
            label=SOURCE_LABEL,
            url=f"{links.base_url}/courses/{links.course_id}" if links.course_id else None,
            topic=Coding(system=TOPIC_SYSTEM, code=kind, display=topic),
        ),
        suggestions=suggestions or None,
        selectionBehavior="any" if suggestions else None,
        overrideReasons=list(OVERRIDE_REASONS) if indicator == "critical" else None,
        links=links.links(),
    )


def bullet_list(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)
