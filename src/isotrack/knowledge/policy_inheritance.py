"""Clinic policies: a policy that ``extends`` another inherits its positions and parameters.

The merge happens when the knowledge loads, so every engine that reads ``policy.positions`` or
``policy.parameters`` sees the clinic's complete profile without knowing about inheritance.
The overrides stay listed on the merged record (the base's first), so outputs can show them.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from pydantic import BaseModel

from isotrack.knowledge.model import Policy


def _resolve(
    policy_id: str,
    raw: dict[str, Policy],
    done: dict[str, Policy],
    chain: tuple[str, ...],
    problems: list[str],
) -> Policy | None:
    if policy_id in done:
        return done[policy_id]
    policy = raw[policy_id]
    if policy.extends is None:
        merged = _apply_overrides(policy, dict(policy.positions), dict(policy.parameters), [])
        done[policy_id] = merged
        return merged
    if policy.extends in chain:
        problems.append(f"policy {policy_id!r}: 'extends' forms a cycle ({' -> '.join(chain)})")
        return None
    if policy.extends not in raw:
        known = ", ".join(sorted(raw))
        problems.append(
            f"policy {policy_id!r} extends missing policy {policy.extends!r} (known: {known})"
        )
        return None
    base = _resolve(policy.extends, raw, done, (*chain, policy_id), problems)
    if base is None:
        return None
    merged = _apply_overrides(
        policy,
        {**base.positions, **policy.positions},
        {**base.parameters, **policy.parameters},
        list(base.overrides),
        effective_from=policy.effective_from or base.effective_from,
        effective_until=policy.effective_until or base.effective_until,
    )
    done[policy_id] = merged
    return merged


def _apply_overrides(
    policy: Policy,
    positions: dict[str, str],
    parameters: dict[str, str],
    inherited: list[object],
    **dates: object,
) -> Policy:
    for override in policy.overrides:
        if override.parameter is not None and override.fact_id is not None:
            parameters[override.parameter] = override.fact_id
        if override.disagreement is not None and override.position is not None:
            positions[override.disagreement] = override.position
        if override.effective_from is not None:
            dates["effective_from"] = override.effective_from
        if override.effective_until is not None:
            dates["effective_until"] = override.effective_until
    update: dict[str, object] = {
        "positions": positions,
        "parameters": parameters,
        "overrides": [*inherited, *policy.overrides],
        **dates,
    }
    return policy.model_copy(update=update)


def resolve_extended_policies(sections: MutableMapping[str, dict[str, BaseModel]]) -> list[str]:
    """Merge every clinic policy with the policy it extends, in place; return the problems."""
    raw = {
        key: record
        for key, record in sections.get("policy", {}).items()
        if isinstance(record, Policy)
    }
    problems: list[str] = []
    done: dict[str, Policy] = {}
    for policy_id in sorted(raw):
        _resolve(policy_id, raw, done, (), problems)
    if "policy" in sections:
        sections["policy"].update(done)
    return problems
