"""Patient education: the myths and corrections of the knowledge base that concern this patient.

A myth is chosen when one of its audiences fits the patient (everyone; can or cannot get
pregnant; adolescent). Myths on the topics of the patient's current alerts come first.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from pydantic import BaseModel, ConfigDict

from isotrack.engines.monitoring.course import CourseView
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Verdict

ADOLESCENT_FACT = "education.adolescent_below_age_years"

# Alert topics and the myth topics that answer the worries behind them.
_TOPICS_FOR_ALERT: dict[str, tuple[str, ...]] = {
    "mood": ("mood",),
    "labs": ("labs", "diet"),
    "adverse_event": ("side_effects",),
    "screening": ("interactions", "screening"),
    "assessment": ("mood",),
}


class EducationItem(BaseModel):
    """One claim patients meet, whether it holds, the correction, and why it was chosen."""

    model_config = ConfigDict(frozen=True)

    myth_id: str
    claim: str
    verdict: Verdict
    correction: str
    topic: str
    reason: str
    source_ids: list[str]


def patient_audiences(knowledge: Knowledge, course: CourseView) -> list[str]:
    """The audience tags that describe this patient."""
    audiences = ["everyone"]
    audiences.append("can_get_pregnant" if course.can_get_pregnant else "cannot_get_pregnant")
    if course.age_years_on(course.as_of) < knowledge.number(ADOLESCENT_FACT):
        audiences.append("adolescent")
    return audiences


def choose_education(
    knowledge: Knowledge,
    course: CourseView,
    alert_topics: Sequence[str] = (),
    *,
    suppress_topics: Collection[str] = (),
) -> list[EducationItem]:
    """Myths for this patient: alert-related topics first, then situation-specific, then general.

    Myths on ``suppress_topics`` are left out (no myth about depression while an item-9 answer
    is open: the patient sees the crisis guidance instead).
    """
    audiences = patient_audiences(knowledge, course)
    focus: list[str] = []
    for topic in alert_topics:
        for myth_topic in _TOPICS_FOR_ALERT.get(topic, ()):
            if myth_topic not in focus:
                focus.append(myth_topic)
    if course.can_get_pregnant:
        focus.extend(t for t in ("pregnancy", "contraception", "fertility") if t not in focus)
    # The choice depends only on these three and the knowledge base: made once per combination.
    key = ("monitoring.education", tuple(audiences), tuple(focus), frozenset(suppress_topics))
    items = knowledge.derived(key, lambda: _choose(knowledge, audiences, focus, suppress_topics))
    return list(items)


def _choose(
    knowledge: Knowledge,
    audiences: Sequence[str],
    focus: Sequence[str],
    suppress_topics: Collection[str],
) -> tuple[EducationItem, ...]:
    chosen: list[tuple[tuple[int, int, str], EducationItem]] = []
    for myth in knowledge.myths.values():
        if myth.topic in suppress_topics:
            continue
        fitting = [a for a in myth.audience if a in audiences]
        if not fitting:
            continue
        specific = [a for a in fitting if a != "everyone"]
        reasons = []
        if myth.topic in focus:
            reasons.append(f"topic {myth.topic!r} concerns this patient now")
        reasons.append(
            "for patients who are: " + ", ".join(specific) if specific else "for every patient"
        )
        rank = (
            focus.index(myth.topic) if myth.topic in focus else len(focus),
            0 if specific else 1,
            myth.id,
        )
        chosen.append(
            (
                rank,
                EducationItem(
                    myth_id=myth.id,
                    claim=myth.claim,
                    verdict=myth.verdict,
                    correction=myth.correction,
                    topic=myth.topic,
                    reason="; ".join(reasons),
                    source_ids=list(myth.source_ids),
                ),
            )
        )
    return tuple(item for _, item in sorted(chosen, key=lambda pair: pair[0]))
