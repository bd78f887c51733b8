"""What a patient sees first after answering PHQ-9 item 9 above 'not at all'.

Patient-worded steps and the crisis lines of the patient's market (cited knowledge), shown
while an item-9 alert holds the course; the page that renders it shows no myth cards on the
topics the hold rule names (``suppress_myth_topics``).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from isotrack.domain.timeline import Timeline
from isotrack.engines.monitoring.holds import clinical_safety
from isotrack.engines.monitoring.mood import ITEM9_CODE
from isotrack.knowledge import Knowledge
from isotrack.knowledge.safety import crisis_lines, hold_rule_by_code, patient_guidance

ITEM9_GUIDANCE = "guidance.mood.item9"


class CrisisContact(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    contact: str
    when: str
    source_ids: list[str]


class CrisisGuidance(BaseModel):
    """The patient's guidance, the crisis lines to call, and the alerts it answers."""

    model_config = ConfigDict(frozen=True)

    market: str
    headline: str
    steps: list[str]
    crisis_lines: list[CrisisContact]
    alert_ids: list[str]
    suppress_myth_topics: list[str]
    source_ids: list[str]


def mood_crisis_guidance(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date, market: str | None = None
) -> CrisisGuidance | None:
    """Guidance while an item-9 alert holds the course; ``None`` when none does.

    ``market`` (``us``, ``uk``, ``eu``) defaults to the market of the course's policy.
    """
    safety = clinical_safety(knowledge, timeline, as_of)
    open_ids = [t.alert.id for t in safety.alerts if t.holding and t.alert.code == ITEM9_CODE]
    if not open_ids:
        return None
    chosen = (market or knowledge.policy(timeline.policy).market).lower()
    guidance = patient_guidance(knowledge, ITEM9_GUIDANCE)
    lines = [
        CrisisContact(name=c.name, contact=c.contact, when=c.when, source_ids=c.source_ids)
        for c in crisis_lines(knowledge, chosen)
    ]
    rule = hold_rule_by_code(knowledge)[ITEM9_CODE]
    return CrisisGuidance(
        market=chosen,
        headline=guidance.headline,
        steps=list(guidance.steps),
        crisis_lines=lines,
        alert_ids=open_ids,
        suppress_myth_topics=list(rule.suppress_myth_topics),
        source_ids=list(guidance.source_ids),
    )
