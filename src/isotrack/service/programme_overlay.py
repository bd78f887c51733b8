"""The clinic's programme settings: what an admin may choose, and the overrides they become.

Three kinds, each bounded by the knowledge base and shown with its source:

- the sensitivity of the urine pregnancy-test kit the clinic stocks (mIU/mL): above zero and
  no higher than the smallest minimum sensitivity any programme edition asks for, so a kit the
  clinic configures is never one a programme would refuse;
- the date an edition comes into force, where the knowledge base records several (today the
  2026 iPLEDGE edition: the FDA's 180-day rule or later unconfirmed reports): one of the
  recorded dates, never a date of the admin's own; the edition it replaces ends that day;
- a clinic policy of the knowledge base (a documented departure from an edition, such as the
  EU monthly tests or the stricter reading of "two complementary methods") adopted for every
  course of its edition.

:func:`overlay_of` turns the stored values into a :class:`ClinicOverlay`: overrides of the
editions with a reason and sources, so the engines stay pure and every output lists them.
Nothing here reads the store or a clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from isotrack.domain.errors import FieldProblem
from isotrack.engines.programme.pregnancy_tests import CLINIC_KIT_PARAMETER
from isotrack.knowledge import ClinicOverlay, Knowledge
from isotrack.knowledge.clinic_overlay import SettingsPeriod
from isotrack.knowledge.model import EvidenceLevel, Fact, Policy, PolicyOverride
from isotrack.store.clinic_settings import SettingChange

KIT = "programme.urine_kit_sensitivity"
EDITION_DATE = "programme.edition_date."  # + the edition's policy id
ADOPTED = "programme.clinic_policy."  # + the clinic policy's id
KIT_FACT = "clinic.urine_kit_sensitivity"
KIT_UNIT = "mIU/mL"
# The project's decision (docs/decisions.md) that a clinic's own statement of its kit, made by
# an admin in the console, is the source of this figure.
CLINIC_SOURCE = "isotrack-decisions"
MIN_SENSITIVITY = "min_sensitivity"


@dataclass(frozen=True)
class Choice:
    value: str  # as stored and as a form sends it
    label: str
    source_ids: tuple[str, ...]
    detail: str = ""  # what the sources say of it, shown beside the list of choices


@dataclass(frozen=True)
class ProgrammeSetting:
    """One programme setting: its allowed values (``choices``, or a number up to
    ``maximum``), its value when nobody chose one, and the sources behind it."""

    name: str
    label: str
    explanation: str
    default: Any
    choices: tuple[Choice, ...] = ()
    maximum: float | None = None  # a number setting: above 0 and at most this
    source_ids: tuple[str, ...] = ()

    def shown(self, value: Any) -> str:
        if self.maximum is not None:
            return "not configured" if value is None else f"{value:g} {KIT_UNIT}"
        chosen = next((c for c in self.choices if c.value == _text(value)), None)
        if chosen is None:
            return str(value)
        return f"{chosen.label} ({chosen.detail})" if chosen.detail else chosen.label


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _bases(knowledge: Knowledge) -> list[Policy]:
    return sorted((p for p in knowledge.policies.values() if p.extends is None),
                  key=lambda p: p.id)  # fmt: skip


def kit_limit(knowledge: Knowledge) -> tuple[float, list[str]]:
    """The strictest minimum sensitivity among the editions, and the facts that give it."""
    facts = {p.parameters[MIN_SENSITIVITY] for p in _bases(knowledge)
             if MIN_SENSITIVITY in p.parameters}  # fmt: skip
    limit = min(knowledge.number(f) for f in facts)
    return limit, sorted(f for f in facts if knowledge.number(f) == limit)


def programme_specs(knowledge: Knowledge) -> dict[str, ProgrammeSetting]:
    """Every programme setting the packaged knowledge base allows, in the order shown."""
    limit, limit_facts = kit_limit(knowledge)
    specs = [
        ProgrammeSetting(
            KIT, "Sensitivity of the clinic's urine pregnancy-test kit (mIU/mL)",
            f"The figure printed on the kit the clinic stocks; a urine test recorded without "
            f"a figure is judged with it. The programmes ask for {limit:g} {KIT_UNIT} or "
            "better; left empty, such a test counts as not known to be sensitive enough.",
            None, maximum=limit,
            source_ids=tuple(s for f in limit_facts for s in knowledge.fact(f).source_ids),
        )
    ]  # fmt: skip
    for policy in _bases(knowledge):
        if policy.effective_from_candidates:
            specs.append(ProgrammeSetting(
                EDITION_DATE + policy.id, f"{policy.title}: in force from",
                "The sources disagree on this date; the clinic applies one of those on record"
                + (", and the edition it replaces ends that day." if policy.replaces else "."),
                _text(policy.effective_from),
                tuple(Choice(c.date.isoformat(), f"{c.date:%d %b %Y}", tuple(c.source_ids),
                             c.summary)
                      for c in policy.effective_from_candidates),
                source_ids=tuple(policy.source_ids),
            ))  # fmt: skip
    for clinic_policy in sorted(knowledge.policies.values(), key=lambda p: p.id):
        base = knowledge.policies.get(clinic_policy.extends or "")
        if base is None or base.extends is not None:
            continue
        own = clinic_policy.overrides[len(base.overrides) :]
        specs.append(ProgrammeSetting(
            ADOPTED + clinic_policy.id, clinic_policy.title,
            " ".join(o.reason for o in own) + " Applies to every course under this edition.",
            False,
            (Choice("no", "No: the edition as published", tuple(base.source_ids)),
             Choice("yes", "Yes: adopt this clinic policy",
                    tuple(dict.fromkeys(s for o in own for s in o.source_ids)))),
            source_ids=tuple(clinic_policy.source_ids),
        ))  # fmt: skip
    return {spec.name: spec for spec in specs}


def parse(spec: ProgrammeSetting, raw: str) -> tuple[Any, FieldProblem | None]:
    """The value to store for ``raw``, or the problem naming the field, value and what is
    allowed."""
    text = raw.strip()
    if spec.maximum is not None:
        if text == "":
            return None, None
        allowed = (f"a number above 0 and at most {spec.maximum:g} {KIT_UNIT} (the programmes' "
                   "minimum sensitivity), or empty when the clinic has no kit")  # fmt: skip
        try:
            figure = float(text.replace(",", "."))
        except ValueError:
            return None, FieldProblem("settings", spec.name, raw, allowed)
        if not math.isfinite(figure) or not 0 < figure <= spec.maximum:
            return None, FieldProblem("settings", spec.name, raw, allowed)
        return figure, None
    if text.lower() in {c.value for c in spec.choices}:
        value = text.lower()
        return ({"yes": True, "no": False}[value] if spec.name.startswith(ADOPTED) else value,
                None)  # fmt: skip
    allowed = "one of " + ", ".join(c.value for c in spec.choices)
    return None, FieldProblem("settings", spec.name, raw, allowed)


def overlay_of(knowledge: Knowledge, stored: Mapping[str, SettingChange]) -> ClinicOverlay:
    """The overrides the stored programme settings make of the packaged ``knowledge``."""
    overrides: dict[str, list[PolicyOverride]] = {}
    facts: list[Fact] = []
    specs = programme_specs(knowledge)

    def add(policy_id: str, override: PolicyOverride) -> None:
        overrides.setdefault(policy_id, []).append(override)

    kit = stored.get(KIT)
    if kit is not None and kit.value is not None:
        note = (f"Set by {kit.changed_by} on {kit.changed_at[:10]} in the admin console: the "
                "sensitivity printed on the urine kit the clinic stocks.")  # fmt: skip
        facts.append(Fact(id=KIT_FACT, value=kit.value, unit=KIT_UNIT, source_ids=[CLINIC_SOURCE],
                          evidence=EvidenceLevel.EXPERT_OPINION, note=note))  # fmt: skip
        for policy in _bases(knowledge):
            if MIN_SENSITIVITY in policy.parameters:
                add(policy.id, PolicyOverride(
                    parameter=CLINIC_KIT_PARAMETER, fact_id=KIT_FACT, source_ids=[CLINIC_SOURCE],
                    reason=f"The clinic's urine kit detects hCG from {kit.value:g} {KIT_UNIT} "
                    f"(clinic setting, {kit.changed_by}, {kit.changed_at[:10]}).",
                ))  # fmt: skip
    for name, change in stored.items():
        spec = specs.get(name)
        if spec is None or change.value == spec.default:
            continue
        if name.startswith(EDITION_DATE):
            _move_edition(knowledge.policy(name.removeprefix(EDITION_DATE)), spec, change, add)
        elif name.startswith(ADOPTED) and change.value is True:
            clinic_policy = knowledge.policy(name.removeprefix(ADOPTED))
            base = knowledge.policy(clinic_policy.extends or "")
            for own in clinic_policy.overrides[len(base.overrides) :]:
                add(base.id, own.model_copy(update={"reason": (
                    f"Clinic policy {clinic_policy.id} adopted ({change.changed_by}, "
                    f"{change.changed_at[:10]}): {own.reason}")}))  # fmt: skip
    return ClinicOverlay({k: tuple(v) for k, v in overrides.items()}, tuple(facts))


def settings_over_time(
    knowledge: Knowledge, history: Sequence[SettingChange]
) -> tuple[SettingsPeriod, ...]:
    """Each state the programme settings were in, oldest first, from the store's history
    (newest first): a change that left the overlay as it was starts no new period."""
    stored: dict[str, SettingChange] = {}
    periods: list[SettingsPeriod] = []
    for change in reversed(history):
        stored[change.name] = change
        overlay = overlay_of(knowledge, stored)
        if not periods or periods[-1].overlay != overlay:
            periods.append(SettingsPeriod(change.changed_at, overlay))
    return tuple(periods)


def _move_edition(edition: Policy, spec: ProgrammeSetting, change: SettingChange, add: Any) -> None:
    day = dt.date.fromisoformat(change.value)
    choice = next(c for c in spec.choices if c.value == change.value)
    why = (f"The clinic applies {day:%d %b %Y} ({change.changed_by}, {change.changed_at[:10]}): "
           f"{choice.detail}.")  # fmt: skip
    add(edition.id, PolicyOverride(effective_from=day, reason=why,
                                   source_ids=list(choice.source_ids)))  # fmt: skip
    if edition.replaces is not None:
        add(edition.replaces, PolicyOverride(effective_until=day, reason=why,
                                             source_ids=list(choice.source_ids)))  # fmt: skip
