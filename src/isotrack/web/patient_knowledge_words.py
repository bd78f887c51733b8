"""The knowledge base's patient texts in the patient's language: the crisis guidance and its
lines, and the myths with their corrections (decision 42, as revised in decision 52).

The knowledge keeps one English text per record, with its sources; the catalogues translate
that text as they translate the comprehension questions, so a changed English text shows up
as a missing translation (the catalogue test fails) instead of an outdated one being shown.
Sources are cited as they are, in their own language.
"""

from __future__ import annotations

from dataclasses import replace

from isotrack.engines.holds.crisis import CrisisGuidance
from isotrack.knowledge import Knowledge
from isotrack.knowledge.safety import CrisisLine, PatientGuidance
from isotrack.web.course_view import MythView, myth_views
from isotrack.web.i18n import Speaker

PATIENT_AUDIENCES = ("everyone", "can_get_pregnant", "cannot_get_pregnant", "adolescent")


def crisis_in(crisis: CrisisGuidance, words: Speaker) -> CrisisGuidance:
    """The guidance and its lines in the patient's language (numbers as they are dialled)."""
    say = words.gettext
    lines = [
        line.model_copy(update={"name": say(line.name), "contact": say(line.contact),
                                "when": say(line.when)})
        for line in crisis.crisis_lines
    ]  # fmt: skip
    return crisis.model_copy(
        update={
            "headline": say(crisis.headline),
            "steps": [say(step) for step in crisis.steps],
            "crisis_lines": lines,
        }
    )


def myths_in(myths: list[MythView], words: Speaker) -> list[MythView]:
    say = words.gettext
    return [
        replace(m, claim=say(m.claim), correction=say(m.correction),
                verdict_text=say(m.verdict_text))
        for m in myths
    ]  # fmt: skip


def knowledge_messages(knowledge: Knowledge) -> list[str]:
    """Every knowledge text the patient's page can show: the crisis guidance and every
    market's lines, the verdicts, and each myth whose audience is a patient's."""
    found: list[str] = []
    for guidance in knowledge.records("patient_guidance", PatientGuidance).values():
        found += [guidance.headline, *guidance.steps]
    for line in knowledge.records("crisis_line", CrisisLine).values():
        found += [line.name, line.contact, line.when]
    shown = [m.id for m in knowledge.myths.values() if set(m.audience) & set(PATIENT_AUDIENCES)]
    for view in myth_views(knowledge, shown):
        found += [view.claim, view.correction, view.verdict_text]
    return found
