"""The policy a course runs under: its rules, its parameter facts and its clinic overrides."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from isotrack.engines.course_policy import require_policy
from isotrack.engines.periods import describe, shift
from isotrack.engines.programme.report import AppliedOverride, PolicySummary, UsedFact
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Fact, Policy, PolicyOverride
from isotrack.knowledge.programme import (
    ContraceptionScheme,
    ProgrammeRule,
    RuleAudience,
    RuleKind,
)
from isotrack.knowledge.programme_checks import programme_problems


@dataclass(frozen=True)
class ActivePolicy:
    """A policy resolved for the engine: which rules apply and which facts feed them."""

    knowledge: Knowledge
    policy: Policy
    lineage: tuple[str, ...]  # this policy, then the policies it extends
    # Rules per (kind, category): fixed for a policy, and asked for many times per decision.
    _rules: dict[tuple[RuleKind, bool], list[ProgrammeRule]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # The facts behind a set of parameters, likewise fixed (reports share these records).
    _used: dict[tuple[str, ...], tuple[UsedFact, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def id(self) -> str:
        return self.policy.id

    def _switched(self, rule_id: str) -> bool | None:
        """The latest override's on/off switch for a rule, or None if no override names it."""
        switch: bool | None = None
        for override in self.policy.overrides:
            if override.rule_id == rule_id:
                switch = override.rule_applies
        return switch

    def belongs(self, rule: ProgrammeRule) -> bool:
        """True when the rule is part of this policy (listed, or switched on by an override)."""
        switch = self._switched(rule.id)
        if switch is not None:
            return switch
        return any(policy_id in rule.policies for policy_id in self.lineage)

    def rules(self, kind: RuleKind, can_get_pregnant: bool) -> list[ProgrammeRule]:
        """This policy's rules of one kind for the patient's category, whatever their dates."""
        cached = self._rules.get((kind, can_get_pregnant))
        if cached is not None:
            return cached
        audience = (
            RuleAudience.CAN_GET_PREGNANT if can_get_pregnant else RuleAudience.CANNOT_GET_PREGNANT
        )
        found = [
            rule
            for rule in self.knowledge.records("programme_rule", ProgrammeRule).values()
            if rule.kind is kind
            and rule.audience in (audience, RuleAudience.ALL)
            and self.belongs(rule)
        ]
        rules = sorted(found, key=lambda rule: rule.id)
        self._rules[(kind, can_get_pregnant)] = rules
        return rules

    def fact(self, parameter: str) -> Fact:
        try:
            fact_id = self.policy.parameters[parameter]
        except KeyError:
            raise KeyError(
                f"policy {self.id!r} does not map parameter {parameter!r} to a fact"
            ) from None
        return self.knowledge.fact(fact_id)

    def number(self, parameter: str) -> float:
        fact = self.fact(parameter)
        if fact.value is None:
            raise ValueError(f"parameter {parameter!r}: fact {fact.id!r} has no single value")
        return fact.value

    def count(self, parameter: str) -> int:
        return int(self.number(parameter))

    def after(self, day: dt.date, parameter: str) -> dt.date:
        return shift(day, self.fact(parameter), 1)

    def before(self, day: dt.date, parameter: str) -> dt.date:
        return shift(day, self.fact(parameter), -1)

    def period(self, parameter: str) -> str:
        return describe(self.fact(parameter))

    def used(self, *parameters: str) -> list[UsedFact]:
        cached = self._used.get(parameters)
        if cached is None:
            cached = tuple(
                UsedFact(
                    parameter=name,
                    fact_id=self.fact(name).id,
                    value=self.fact(name).value,
                    unit=self.fact(name).unit,
                )
                for name in parameters
            )
            self._used[parameters] = cached
        return list(cached)

    def scheme(self, scheme_id: str) -> ContraceptionScheme:
        schemes = self.knowledge.records("contraception_scheme", ContraceptionScheme)
        try:
            return schemes[scheme_id]
        except KeyError:
            raise KeyError(f"no contraception scheme {scheme_id!r}") from None

    def summary(self, on: dt.date) -> PolicySummary:
        policy = self.policy
        return PolicySummary(
            id=policy.id,
            title=policy.title,
            programme=policy.programme,
            edition=policy.edition,
            effective_from=policy.effective_from,
            in_force=policy.in_force_on(on),
            extends=policy.extends,
            overrides=[
                AppliedOverride(
                    description=_describe_override(o),
                    reason=o.reason,
                    source_ids=list(o.source_ids),
                )
                for o in policy.overrides
            ],
            note=policy.note,
        )


def _describe_override(override: PolicyOverride) -> str:
    if override.parameter is not None:
        return f"parameter {override.parameter} uses fact {override.fact_id}"
    if override.disagreement is not None:
        return f"disagreement {override.disagreement} takes position {override.position}"
    if override.rule_id is not None:
        applies = "applies" if override.rule_applies else "does not apply"
        return f"rule {override.rule_id} {applies}"
    dates = [f"in force from {override.effective_from.isoformat()}"
             if override.effective_from else "",
             f"in force until {override.effective_until.isoformat()}"
             if override.effective_until else ""]  # fmt: skip
    return "edition " + " and ".join(d for d in dates if d)


def active_policy(knowledge: Knowledge, policy_id: str) -> ActivePolicy:
    """Resolve a timeline's policy id; an unknown id is an input error naming the known ones.

    The resolved policy depends on the knowledge alone, so it is built once per knowledge base.
    """
    return knowledge.derived(
        ("programme.active_policy", policy_id), lambda: _resolve(knowledge, policy_id)
    )


def _resolve(knowledge: Knowledge, policy_id: str) -> ActivePolicy:
    policy = require_policy(knowledge, policy_id)
    lineage: list[str] = []
    current: str | None = policy_id
    while current is not None and current not in lineage:
        lineage.append(current)
        current = knowledge.policy(current).extends
    return ActivePolicy(knowledge, policy, tuple(lineage))


def edition_in_force(knowledge: Knowledge, programme: str, on: dt.date) -> Policy | None:
    """The programme's base edition in force on ``on``: the latest whose date has come.

    The dates are the policies' ``effective_from`` settings, so moving the uncertain US
    switch-over date is a change of data, not of code.
    """
    editions = [
        p
        for p in knowledge.policies.values()
        if p.programme == programme
        and p.extends is None
        and p.effective_from is not None
        and p.effective_from <= on
    ]
    return max(editions, key=lambda p: p.effective_from or on, default=None)


def check_programme_knowledge(knowledge: Knowledge) -> list[str]:
    """Problems in the programme rules and policies that the generic loader cannot see (the
    same check the loader runs at start; kept here for callers of the engine)."""
    return programme_problems(knowledge)
