"""Links between programme rules, policies and parameter facts that one record cannot check.

A rule names the parameters its policy must map to facts; a policy that takes the rule (listed,
inherited through ``extends`` or switched on by an override) and lacks one of them is a broken
knowledge base. The loader runs this check whenever the knowledge loads, so the problem is
listed at start rather than met as a missing key at the first dispense decision.
"""

from __future__ import annotations

from isotrack.knowledge.loader import Knowledge
from isotrack.knowledge.model import Policy
from isotrack.knowledge.programme import ContraceptionScheme, ProgrammeRule
from isotrack.knowledge.sections import CROSS_CHECKS


def policy_lineage(knowledge: Knowledge, policy: Policy) -> tuple[str, ...]:
    """The policy id, then the ids of the policies it extends (nearest first)."""
    lineage: list[str] = []
    current: str | None = policy.id
    while current is not None and current not in lineage and current in knowledge.policies:
        lineage.append(current)
        current = knowledge.policies[current].extends
    return tuple(lineage)


def rule_belongs(policy: Policy, lineage: tuple[str, ...], rule: ProgrammeRule) -> bool:
    """True when ``rule`` is part of the policy: the latest override switch wins, else listed."""
    switch: bool | None = None
    for override in policy.overrides:
        if override.rule_id == rule.id:
            switch = override.rule_applies
    if switch is not None:
        return switch
    return any(policy_id in rule.policies for policy_id in lineage)


def programme_problems(knowledge: Knowledge) -> list[str]:
    """Problems in the programme rules and policies that the generic loader cannot see."""
    problems: list[str] = []
    rules = knowledge.records("programme_rule", ProgrammeRule)
    schemes = knowledge.records("contraception_scheme", ContraceptionScheme)
    for rule in rules.values():
        for policy_id in rule.policies:
            if policy_id not in knowledge.policies:
                problems.append(f"rule {rule.id!r} names missing policy {policy_id!r}")
        if rule.contraception_scheme is not None and rule.contraception_scheme not in schemes:
            problems.append(f"rule {rule.id!r} names missing scheme {rule.contraception_scheme!r}")
        if rule.replaced_by is not None and rule.replaced_by not in rules:
            problems.append(f"rule {rule.id!r} is replaced by missing rule {rule.replaced_by!r}")
    for policy in knowledge.policies.values():
        lineage = policy_lineage(knowledge, policy)
        for override in policy.overrides:
            if override.rule_id is not None and override.rule_id not in rules:
                problems.append(f"policy {policy.id!r} overrides missing rule {override.rule_id!r}")
        for rule in rules.values():
            if not rule_belongs(policy, lineage, rule):
                continue
            needed = list(rule.parameters)
            scheme_id = rule.contraception_scheme
            if scheme_id is not None and scheme_id in schemes:
                scheme = schemes[scheme_id]
                needed += [n.count_parameter for o in scheme.options for n in o.needs]
            for parameter in needed:
                if parameter not in policy.parameters:
                    problems.append(
                        f"policy {policy.id!r} lacks parameter {parameter!r} "
                        f"used by rule {rule.id!r}"
                    )
    return problems + position_parameter_problems(knowledge)


# A disagreement whose position a policy takes through a parameter: the position's value must be
# the value of the fact the policy maps that parameter to (a clinic changes both together).
POSITION_PARAMETERS = {"eu_complementary_methods": "complementary_hormonal_methods_required"}


def position_parameter_problems(knowledge: Knowledge) -> list[str]:
    problems: list[str] = []
    for policy in knowledge.policies.values():
        for disagreement_id, parameter in POSITION_PARAMETERS.items():
            position_id = policy.positions.get(disagreement_id)
            fact_id = policy.parameters.get(parameter)
            if position_id is None or fact_id is None:
                continue
            disagreement = knowledge.disagreements.get(disagreement_id)
            fact = knowledge.facts.get(fact_id)
            if disagreement is None or fact is None:
                continue  # the loader's own reference checks name these
            position = next((p for p in disagreement.positions if p.id == position_id), None)
            if position is not None and position.value != fact.value:
                problems.append(
                    f"policy {policy.id!r} takes position {position_id!r} on {disagreement_id!r} "
                    f"(value {position.value:g}) but maps {parameter!r} to {fact_id!r} "
                    f"(value {fact.value:g})"
                )
    return problems


def edition_date_problems(knowledge: Knowledge) -> list[str]:
    """An edition with recorded candidate dates starts on one of them, and the edition it
    replaces ends that same day (so no day falls under both editions, or under neither)."""
    problems: list[str] = []
    for policy in knowledge.policies.values():
        candidates = {c.date for c in policy.effective_from_candidates}
        if candidates and policy.effective_from not in candidates:
            problems.append(
                f"policy {policy.id!r} comes into force on {policy.effective_from}, which is "
                f"not one of its recorded dates ({', '.join(sorted(map(str, candidates)))})"
            )
        if policy.replaces is None:
            continue
        replaced = knowledge.policies.get(policy.replaces)
        if replaced is None:
            problems.append(f"policy {policy.id!r} replaces missing policy {policy.replaces!r}")
        elif replaced.effective_until != policy.effective_from:
            problems.append(
                f"policy {policy.replaces!r} ends on {replaced.effective_until} but "
                f"{policy.id!r}, which replaces it, starts on {policy.effective_from}"
            )
    return problems


CROSS_CHECKS.append(programme_problems)
CROSS_CHECKS.append(edition_date_problems)
