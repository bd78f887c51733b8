"""The clinic's own settings, chosen by an admin: units shown, second factor for admins.

Each setting has a type, its allowed values and a default; a change is validated as a whole
(nothing is stored when one value is refused) and kept with who made it and when. The units
setting changes only what pages show: stored values stay as recorded, and conversion is the
monitoring engine's pint-based lab conversion. The programme's own settings (editions and
their dates, clinic policies and their overrides, the urine kit's sensitivity) are knowledge
data with sources; :func:`programme_settings` shows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from isotrack.domain.errors import FieldProblem, IsotrackInputError, SecondFactorNotSetUp
from isotrack.knowledge import KnowledgeError, clinic_knowledge, load_knowledge
from isotrack.service.access import Action, require
from isotrack.service.context import Service
from isotrack.service.programme_overlay import ProgrammeSetting, overlay_of, programme_specs
from isotrack.service.programme_overlay import parse as parse_programme
from isotrack.service.worklist import refresh_worklist
from isotrack.store import clinic_settings as store_settings
from isotrack.store.admin_actions import record_action
from isotrack.store.clinic_settings import SettingChange
from isotrack.store.second_factors import second_factor_of
from isotrack.store.users import Role, User

LIPIDS_GLUCOSE = "units.lipids_glucose"
ENZYMES = "units.enzymes"
SECOND_FACTOR_FOR_ADMIN = "sign_in.second_factor_required_for_admin"


@dataclass(frozen=True)
class SettingSpec:
    name: str
    label: str
    choices: tuple[Any, ...]  # allowed values; (True, False) for a yes/no setting
    default: Any
    explanation: str


SPECS: dict[str, SettingSpec] = {
    spec.name: spec
    for spec in (
        SettingSpec(LIPIDS_GLUCOSE, "Lipids and glucose shown in", ("mg/dL", "mmol/L"), "mg/dL",
                    "Triglycerides, cholesterol and glucose on charts. Results stay stored "
                    "as the laboratory reported them."),
        SettingSpec(ENZYMES, "Liver and muscle enzymes shown in", ("U/L", "µkat/L"), "U/L",
                    "ALT, AST, ALP and CK on charts. Results stay stored as reported."),
        SettingSpec(SECOND_FACTOR_FOR_ADMIN, "Admins must use a sign-in code", (True, False),
                    False, "An admin without a code from an authenticator app may only set "
                    "one up; the admin pages stay closed until then."),
    )
}  # fmt: skip


@dataclass(frozen=True)
class DisplayUnits:
    """The units the clinic shows: ``lipids_glucose`` (mg/dL or mmol/L) and ``enzymes``
    (U/L or µkat/L, spelled ``ukat/L`` for pint)."""

    lipids_glucose: str = "mg/dL"
    enzymes: str = "U/L"

    def shown_unit(self, canonical_unit: str, common_units: list[str]) -> str:
        """The unit to show a test in, given its stored (canonical) unit and the units its
        results come in; a test outside both groups keeps its canonical unit."""
        if canonical_unit == "mg/dL" and "mmol/L" in common_units:
            return self.lipids_glucose
        if canonical_unit == "U/L" and "ukat/L" in common_units and self.enzymes == "µkat/L":
            return "ukat/L"
        return canonical_unit


@dataclass(frozen=True)
class SettingInForce:
    spec: SettingSpec
    value: Any
    changed: SettingChange | None  # None: the default, never chosen


def _stored(service: Service) -> dict[str, SettingChange]:
    with service.database.reading() as connection:
        return store_settings.current_settings(connection)


def setting(service: Service, name: str) -> Any:
    """The value in force of one setting (its default until an admin chooses one)."""
    found = _stored(service).get(name)
    return found.value if found is not None else SPECS[name].default


def require_ready_admin(service: Service, admin: User) -> None:
    """:class:`SecondFactorNotSetUp` when the clinic requires a second factor for admins and
    this admin has none on yet (they may still set it up on their security page)."""
    if admin.role is not Role.ADMIN or not setting(service, SECOND_FACTOR_FOR_ADMIN):
        return
    with service.database.reading() as connection:
        factor = second_factor_of(connection, admin.id)
    if factor is None or not factor.confirmed:
        raise SecondFactorNotSetUp(
            "the clinic requires a second factor for admins: set one up on the sign-in "
            "security page first"
        )


def display_units(service: Service) -> DisplayUnits:
    """The clinic's units for charts; every signed-in role's pages read them."""
    stored = _stored(service)
    values = {name: (stored[name].value if name in stored else SPECS[name].default)
              for name in (LIPIDS_GLUCOSE, ENZYMES)}  # fmt: skip
    return DisplayUnits(values[LIPIDS_GLUCOSE], values[ENZYMES])


def settings_in_force(service: Service, user: User) -> list[SettingInForce]:
    """Every setting with its value and who chose it (admins and auditors)."""
    require(user, Action.READ_SETTINGS)
    stored = _stored(service)
    return [
        SettingInForce(spec, stored[name].value if name in stored else spec.default,
                       stored.get(name))
        for name, spec in SPECS.items()
    ]  # fmt: skip


@dataclass(frozen=True)
class SourceShown:
    title: str
    issuer: str
    url: str | None


@dataclass(frozen=True)
class ProgrammeSettingInForce:
    spec: ProgrammeSetting
    value: Any
    shown: str  # the value in words ("20 mIU/mL", "08 Aug 2026: 180 days after ...")
    changed: SettingChange | None  # None: as the knowledge base has it, never chosen
    sources: list[SourceShown]  # of the allowed values (each choice's, or the limit's)


def programme_settings_in_force(service: Service, user: User) -> list[ProgrammeSettingInForce]:
    """Every programme setting with its value, who chose it and the sources behind the values
    it may take (admins and auditors)."""
    require(user, Action.READ_SETTINGS)
    base = load_knowledge()
    stored = _stored(service)

    def sources(ids: tuple[str, ...]) -> list[SourceShown]:
        found = [base.sources[i] for i in dict.fromkeys(ids) if i in base.sources]
        return [SourceShown(s.title, s.issuer, s.url) for s in found]

    shown = []
    for name, spec in programme_specs(base).items():
        value = stored[name].value if name in stored else spec.default
        ids = spec.source_ids + tuple(i for c in spec.choices for i in c.source_ids)
        shown.append(ProgrammeSettingInForce(spec, value, spec.shown(value), stored.get(name),
                                             sources(ids)))  # fmt: skip
    return shown


@dataclass(frozen=True)
class SettingHistoryLine:
    label: str
    before: str
    after: str
    changed_at: str
    changed_by: str


def settings_history(service: Service, user: User, limit: int = 20) -> list[SettingHistoryLine]:
    """The latest changes, newest first, each with the value it replaced."""
    require(user, Action.READ_SETTINGS)
    with service.database.reading() as connection:
        changes = store_settings.setting_history(connection, limit=None)
    programme = programme_specs(load_knowledge())
    lines: list[SettingHistoryLine] = []
    for index, change in enumerate(changes[:limit]):
        older = next((c for c in changes[index + 1 :] if c.name == change.name), None)
        if change.name in programme:
            label, default = programme[change.name].label, programme[change.name].default
        else:
            spec = SPECS.get(change.name)
            label, default = (spec.label, spec.default) if spec else (change.name, None)
        before = older.value if older is not None else default
        lines.append(SettingHistoryLine(label, _words(programme, change.name, before),
                                        _words(programme, change.name, change.value),
                                        change.changed_at, change.changed_by))  # fmt: skip
    return lines


def _parse(spec: SettingSpec, raw: str) -> Any:
    if spec.choices == (True, False):
        return {"yes": True, "true": True, "no": False, "false": False}.get(raw.strip().lower())
    return next((c for c in spec.choices if c == raw.strip()), None)


def _allowed(spec: SettingSpec) -> str:
    if spec.choices == (True, False):
        return "yes or no"
    return "one of " + ", ".join(str(c) for c in spec.choices)


def change_settings(service: Service, admin: User, values: dict[str, str]) -> list[str]:
    """Store the settings that differ from those in force; returns their names. Every value
    is checked first: one refused value refuses the change and nothing is stored. Each change
    goes to the admin action log with the value before, in the same transaction; a change of
    a programme setting is refused too when the knowledge base it makes would not load, and
    afterwards every course's worklist row is worked out again under it."""
    require(admin, Action.CHANGE_SETTINGS)
    require_ready_admin(service, admin)
    programme = programme_specs(load_knowledge())
    problems: list[FieldProblem] = []
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        spec = SPECS.get(name)
        if name in programme:
            value, problem = parse_programme(programme[name], raw)
            if problem is not None:
                problems.append(problem)
            else:
                parsed[name] = value
        elif spec is None:
            known = ", ".join([*SPECS, *programme])
            problems.append(FieldProblem("settings", name, raw, "a setting: " + known))
        elif (value := _parse(spec, raw)) is None:
            problems.append(FieldProblem("settings", name, raw, _allowed(spec)))
        else:
            parsed[name] = value
    if problems:
        raise IsotrackInputError(problems, "settings not changed")
    changed: list[str] = []
    with service.database.writing() as connection:
        stored = store_settings.current_settings(connection)
        for name, value in parsed.items():
            spec_default = programme[name].default if name in programme else SPECS[name].default
            before = stored[name].value if name in stored else spec_default
            if value != before:
                store_settings.change_setting(connection, name, value, admin.username)
                record_action(connection, admin.username, "changed setting", name,
                              before=_words(programme, name, before),
                              after=_words(programme, name, value))  # fmt: skip
                changed.append(name)
        if any(name in programme for name in changed):
            _check_loads(store_settings.current_settings(connection), changed)
    if any(name in programme for name in changed):
        refresh_worklist(service, everything=True)
    return changed


def _words(programme: dict[str, ProgrammeSetting], name: str, value: Any) -> str:
    if name in programme:
        return programme[name].shown(value)
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def _check_loads(stored: dict[str, SettingChange], changed: list[str]) -> None:
    """Raise (so the caller's transaction rolls back) when the stored settings make a
    knowledge base that fails its own checks."""
    try:
        clinic_knowledge(overlay_of(load_knowledge(), stored))
    except KnowledgeError as exc:
        allowed = "a value the knowledge base accepts (" + "; ".join(exc.problems) + ")"
        raise IsotrackInputError(
            [FieldProblem("settings", name, str(stored[name].value), allowed) for name in changed],
            "settings not changed",
        ) from None


@dataclass(frozen=True)
class ProgrammeEdition:
    """One policy of the knowledge base as the settings page shows it."""

    policy_id: str
    title: str
    market: str
    effective_from: dt.date | None
    effective_until: dt.date | None
    extends: str | None
    overrides: list[str]  # each override's reason
    urine_kit_sensitivity: str | None  # "20 mIU/mL" when the policy configures a kit
    min_sensitivity: str | None


def programme_settings(service: Service, user: User) -> list[ProgrammeEdition]:
    """The programme editions in force here, with their dates, clinic overrides and the
    urine kit's configured sensitivity (knowledge data, changed by editing a clinic policy)."""
    require(user, Action.READ_SETTINGS)
    knowledge = service.knowledge()

    def figure(fact_id: str | None) -> str | None:
        if fact_id is None:
            return None
        fact = knowledge.fact(fact_id)
        return f"{fact.value:g} {fact.unit}" if fact.value is not None else fact.unit

    editions = []
    for policy in knowledge.policies.values():
        editions.append(
            ProgrammeEdition(
                policy.id, policy.title, policy.market.upper(), policy.effective_from,
                policy.effective_until, policy.extends,
                [o.reason for o in policy.overrides],
                figure(policy.parameters.get("urine_kit_sensitivity")),
                figure(policy.parameters.get("min_sensitivity")),
            )
        )  # fmt: skip
    return sorted(editions, key=lambda e: (e.market, e.policy_id))
